"""Read a CSV export into named NumPy columns, with explicit missing values.

This is the one loader every ``kinga stats`` command uses, so that a bad file gets the
same one-line message (naming the column and the row) whichever estimator reads it.

Public API (small on purpose):

- :func:`read_csv` -> :class:`Table`
- :meth:`Table.text` — the raw strings of a column (``""`` where missing)
- :meth:`Table.numeric` — a ``float64`` column (``nan`` where missing); a non-numeric
  value raises :class:`~kinga.stats.errors.StatsInputError` naming the row
- :meth:`Table.missing` — boolean mask of missing cells
- :meth:`Table.is_numeric` — whether every non-missing cell parses as a number

Rows are numbered from 1 for the first data row (the header is not a row), which is
what a spreadsheet user sees after freezing the header line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError

#: Cell values read as missing (after stripping blanks): R's ``NA``, Stata's ``.``,
#: pandas' ``NaN`` and what spreadsheets and ODK/Kobo exports write for "no answer".
NA_VALUES: frozenset[str] = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", ".", "NULL", "null"})


@dataclass(frozen=True)
class Table:
    """Columns of a CSV file as NumPy string arrays, keyed by header name.

    Attributes
    ----------
    source : where the data came from (used in messages).
    names : column names in file order.
    n_rows : number of data rows.
    """

    source: str
    names: tuple[str, ...]
    n_rows: int
    _cells: dict[str, NDArray[np.str_]]
    _missing: dict[str, NDArray[np.bool_]]

    def __contains__(self, name: object) -> bool:
        return name in self._cells

    def require(self, *names: str) -> None:
        """Raise :class:`StatsInputError` for the first name that is not a column."""
        for name in names:
            if name not in self._cells:
                shown = ", ".join(self.names[:12]) + (" …" if len(self.names) > 12 else "")
                raise StatsInputError(f"{self.source}: no column {name!r} (columns: {shown})")

    def text(self, name: str) -> NDArray[np.str_]:
        """The column's cells as strings, stripped of surrounding blanks; missing → ``""``."""
        self.require(name)
        return self._cells[name]

    def missing(self, name: str) -> NDArray[np.bool_]:
        """Boolean mask: ``True`` where the cell is one of :data:`NA_VALUES`."""
        self.require(name)
        return self._missing[name]

    def is_numeric(self, name: str) -> bool:
        """Whether every non-missing cell of the column parses as a float."""
        try:
            self.numeric(name)
        except StatsInputError:
            return False
        return True

    def numeric(self, name: str) -> NDArray[np.float64]:
        """The column as ``float64`` with ``nan`` for missing cells.

        Raises
        ------
        StatsInputError
            Naming the first row whose cell is not a number.
        """
        cells = self.text(name)
        missing = self._missing[name]
        filled = np.where(missing, "nan", cells)
        try:
            return filled.astype(np.float64)
        except ValueError:
            # Only on the error path do we look cell by cell, to name the culprit.
            for row, value in enumerate(filled, start=1):
                try:
                    float(value)
                except ValueError:
                    raise StatsInputError(
                        f"{self.source}: column {name!r} has a non-numeric value "
                        f"{str(value)!r} in row {row}"
                    ) from None
            raise  # pragma: no cover - astype failed yet every cell parses


def read_csv(path: str | Path, *, na_values: Iterable[str] = NA_VALUES) -> Table:
    """Read a comma-separated file with a header line into a :class:`Table`.

    Parameters
    ----------
    path : the CSV file (UTF-8, with or without a byte-order mark, as Excel writes it).
    na_values : cell values (after stripping blanks) that mean "missing".

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    StatsInputError
        When the file is empty, has duplicate or blank column names, or a row with the
        wrong number of fields (the message names the row).
    """
    path = Path(path)
    source = path.name
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise StatsInputError(f"{source}: the file is empty") from None
        except csv.Error as exc:
            raise StatsInputError(f"{source}: not a readable CSV file ({exc})") from None
        _check_header(source, header)
        try:
            rows = list(reader)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise StatsInputError(f"{source}: not a readable CSV file ({exc})") from None
    rows = [row for row in rows if row]  # csv yields [] for blank lines
    width = len(header)
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise StatsInputError(
                f"{source}: row {number} has {len(row)} fields but the header has {width}"
            )
    if not rows:
        raise StatsInputError(f"{source}: the file has a header but no data rows")
    grid = np.char.strip(np.array(rows, dtype=np.str_).reshape(len(rows), width))
    na = np.array(sorted(set(na_values)), dtype=np.str_)
    cells: dict[str, NDArray[np.str_]] = {}
    missing: dict[str, NDArray[np.bool_]] = {}
    for index, name in enumerate(header):
        column = np.ascontiguousarray(grid[:, index])
        is_na = np.isin(column, na)
        cells[name] = np.where(is_na, "", column)
        missing[name] = is_na
    return Table(source, tuple(header), len(rows), cells, missing)


def _check_header(source: str, header: list[str]) -> None:
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise StatsInputError(f"{source}: column {position} of the header has no name")
        if name in seen:
            raise StatsInputError(f"{source}: column name {name!r} appears twice in the header")
        seen.add(name)
