"""A categorical outcome as integer codes over sorted levels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds_io import is_missing


@dataclass(frozen=True)
class Categorical:
    """Levels in R's order and one code per respondent (``-1`` = missing).

    Levels are sorted numerically when every level is a number (``0, 1, 10``) and
    alphabetically otherwise, as R orders the levels of a factor, so "the last level"
    means the same thing here as in the ``RDS`` package.
    """

    levels: tuple[str, ...]
    codes: NDArray[np.intp]

    @property
    def k(self) -> int:
        return len(self.levels)

    @property
    def observed(self) -> NDArray[np.bool_]:
        return self.codes >= 0

    def subset(self, keep: NDArray[np.bool_]) -> Categorical:
        return Categorical(self.levels, self.codes[keep])


def categorical(values: Sequence[object], name: str = "outcome") -> Categorical:
    """Encode ``values``; blanks and NA spellings become missing.

    Raises
    ------
    StatsInputError
        When no value is observed.
    """
    text = [str(v).strip() for v in values]
    present = sorted({t for t in text if not is_missing(t)}, key=_level_key(text))
    if not present:
        raise StatsInputError(f"column {name!r} has no observed values")
    position = {level: i for i, level in enumerate(present)}
    codes = np.fromiter(
        (position.get(t, -1) if not is_missing(t) else -1 for t in text),
        dtype=np.intp,
        count=len(text),
    )
    return Categorical(tuple(present), codes)


def _level_key(text: Sequence[str]) -> _Key:
    return _Key(all(_is_number(t) for t in text if not is_missing(t)))


class _Key:
    """Sort key: numeric when all levels are numbers, text otherwise."""

    def __init__(self, numeric: bool) -> None:
        self.numeric = numeric

    def __call__(self, level: str) -> tuple[float, str]:
        return (float(level), level) if self.numeric else (0.0, level)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
