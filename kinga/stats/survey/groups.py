"""Grouping rows by the levels of one or more variables (``svyby``'s ``by=``).

Each group is returned as a domain mask over the full design; estimators never subset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kinga.stats.design import BoolArray
from kinga.stats.errors import StatsInputError


def by_groups(
    columns: Mapping[str, ArrayLike], missing: Mapping[str, BoolArray] | None = None
) -> list[tuple[dict[str, Any], BoolArray]]:
    """Domain masks for every combination of levels present in the data.

    Parameters
    ----------
    columns : name → one label per row (text or numbers).
    missing : name → mask of rows whose label is missing (default: ``nan`` / empty
        text). Rows missing any ``by`` variable belong to no group, as in R's ``svyby``.

    Returns
    -------
    list of (keys, mask)
        Sorted by the levels of the first variable, then the second, … Keys are plain
        Python values (integral floats become ints) so they serialise to JSON cleanly.
    """
    if not columns:
        raise StatsInputError("by needs at least one variable")
    names: Sequence[str] = list(columns)
    n = len(np.asarray(columns[names[0]]))
    present = np.ones(n, dtype=np.bool_)
    codes: list[NDArray[np.intp]] = []
    levels: list[NDArray[Any]] = []
    for name in names:
        values = np.asarray(columns[name])
        if values.shape != (n,):
            raise StatsInputError(f"by variable {name!r} has the wrong length")
        absent = _absent(values) if missing is None or name not in missing else missing[name]
        present &= ~absent
        level, code = np.unique(
            np.where(absent, values[~absent][0] if (~absent).any() else values[0], values),
            return_inverse=True,
        )
        levels.append(level)
        codes.append(code.reshape(n).astype(np.intp))
    if not present.any():
        raise StatsInputError(f"no row has a value for every by variable ({', '.join(names)})")
    shape = tuple(len(level) for level in levels)
    combined = np.ravel_multi_index(tuple(codes), shape)
    groups: list[tuple[dict[str, Any], BoolArray]] = []
    for key in np.unique(combined[present]):
        index = np.unravel_index(int(key), shape)
        keys = {name: _plain(levels[i][index[i]]) for i, name in enumerate(names)}
        groups.append((keys, present & (combined == key)))
    return groups


def _absent(values: NDArray[Any]) -> BoolArray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "US":
        return np.asarray(values == "", dtype=np.bool_)
    return np.zeros(values.shape, dtype=np.bool_)


def _plain(value: Any) -> Any:
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return str(value)
