"""Reading the columns a hidden-population command needs from a CSV file.

The survey side has its own loader; this one is deliberately small: it reads only the
named columns, keeps values as text, and turns them into numbers on request with an
error that names the column and the row. Row numbers count data rows from 1 (the header
is not a row), which is what a spreadsheet user sees as "line minus one".
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError

#: Text read as a missing value in any column.
MISSING_TOKENS = frozenset({"", "na", "nan", "null", "none", "."})


def is_missing(value: str) -> bool:
    """True for the spellings of "no value" that survey exports use."""
    return value.strip().lower() in MISSING_TOKENS


def read_columns(path: str | Path, columns: Sequence[str]) -> dict[str, list[str]]:
    """Read ``columns`` from the CSV file at ``path`` as lists of stripped strings.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    StatsInputError
        When the file is empty, a column is absent, or a row is short.
    """
    file = Path(path)
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise StatsInputError(f"{file}: the file is empty") from None
        absent = [name for name in columns if name not in header]
        if absent:
            raise StatsInputError(
                f"{file}: no column {absent[0]!r} (columns are: {', '.join(header)})"
            )
        positions = {name: header.index(name) for name in columns}
        wanted = max(positions.values()) if positions else -1
        out: dict[str, list[str]] = {name: [] for name in columns}
        for row_number, row in enumerate(reader, start=1):
            if not row:
                continue  # a blank line at the end of a hand-edited file
            if len(row) <= wanted:
                raise StatsInputError(
                    f"{file}: row {row_number} has {len(row)} fields, expected {len(header)}"
                )
            for name, position in positions.items():
                out[name].append(row[position].strip())
    if columns and not out[columns[0]]:
        raise StatsInputError(f"{file}: the file has a header but no data rows")
    return out


def to_float(
    values: Sequence[str], column: str, *, allow_missing: bool = False
) -> NDArray[np.float64]:
    """Parse ``values`` (one column) as floats; missing becomes ``nan`` when allowed."""
    out = np.empty(len(values), dtype=np.float64)
    for index, value in enumerate(values):
        if is_missing(value):
            if not allow_missing:
                raise StatsInputError(f"column {column!r}, row {index + 1}: value is missing")
            out[index] = np.nan
            continue
        try:
            out[index] = float(value)
        except ValueError:
            raise StatsInputError(
                f"column {column!r}, row {index + 1}: {value!r} is not a number"
            ) from None
    return out
