"""Hidden-population estimates (capture–recapture, RDS, network scale-up) via kinga.stats.

The uploaded recruitment or scale-up file is read, screened for identity columns like
any research upload, used, and *not kept*: a study stores its parameters and results.
Bootstraps draw from a ``numpy.random.Generator`` seeded with a stored seed, so a saved
study can be recomputed exactly.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from kinga.research import ingest
from kinga.stats.capture import capture_recapture
from kinga.stats.errors import StatsInputError
from kinga.stats.nsum import nsum_size
from kinga.stats.rds import build_sample, categorical, rds_proportions
from kinga.stats.result import Estimate

#: Largest count or population size taken (more than the world's people); larger
#: numbers are typing mistakes and would overflow the floating-point arithmetic.
MAX_COUNT = 10_000_000_000


class PrevalenceError(ingest.IngestError):
    pass


def _columns(filename: str, content: bytes, wanted: Sequence[str]) -> dict[str, np.ndarray]:
    raw = ingest.read_table(filename, content)
    if not raw.rows:
        raise PrevalenceError(_("%(file)s has a header but no data rows.") % {"file": filename})
    missing = [c for c in wanted if c and c not in raw.header]
    if missing:
        raise PrevalenceError(
            _("%(file)s has no column %(column)s (columns: %(columns)s).")
            % {"file": filename, "column": repr(missing[0]), "columns": ", ".join(raw.header[:15])}
        )
    columns = {
        name: ingest.text_column(raw.rows, raw.header.index(name)) for name in wanted if name
    }
    problems = ingest.screen_identity(
        [(name, name, values) for name, values in columns.items()], ingest.Codebook()
    )
    if problems:
        raise PrevalenceError(problems)
    return columns


def _numeric(values: np.ndarray, name: str) -> np.ndarray:
    out = np.empty(values.size)
    for row, cell in enumerate(values.tolist(), start=1):
        try:
            out[row - 1] = float(cell) if cell not in ingest.NA else np.nan
        except ValueError:
            raise PrevalenceError(
                _("Column %(column)s holds something other than a number in row %(row)d.")
                % {"column": repr(name), "row": row}
            ) from None
    return out


def _wrap(call: Any) -> Any:
    try:
        return call()
    except StatsInputError as exc:
        raise PrevalenceError(str(exc)) from None


def capture(*, marked: int, caught: int, recaptured: int, method: str) -> list[Estimate]:
    for count in (marked, caught, recaptured):
        if not 0 <= count <= MAX_COUNT:
            raise PrevalenceError(
                _("Each count must be a whole number from 0 to %(limit)s.")
                % {"limit": f"{MAX_COUNT:,}"}
            )
    return [_wrap(lambda: capture_recapture(marked, caught, recaptured, method=method))]


def rds(
    *,
    filename: str,
    content: bytes,
    id_column: str,
    recruiter_column: str,
    degree_column: str,
    outcome_column: str,
    estimator: str,
    population_size: int | None,
    exclude_seeds: bool,
    bootstrap: int,
    seed: int,
) -> tuple[list[Estimate], int]:
    cols = _columns(filename, content, [id_column, recruiter_column, degree_column, outcome_column])
    degrees = _numeric(cols[degree_column], degree_column)

    def run() -> list[Estimate]:
        sample = build_sample(cols[id_column].tolist(), cols[recruiter_column].tolist(), degrees)
        outcome = categorical(cols[outcome_column].tolist(), name=outcome_column)
        return rds_proportions(
            sample, outcome, estimator=estimator,  # type: ignore[arg-type]
            population_size=float(population_size) if population_size else None,
            exclude_seeds=exclude_seeds, bootstrap=bootstrap,
            rng=np.random.default_rng(seed) if bootstrap else None, label=outcome_column,
        )  # fmt: skip

    return _wrap(run), len(degrees)


def nsum(
    *,
    filename: str,
    content: bytes,
    known_names: list[str],
    known_sizes: list[float],
    hidden_column: str,
    population_size: int,
    weights_column: str,
    degree_ratio: float,
    tx_rate: float,
    bootstrap: int,
    seed: int,
) -> tuple[list[Estimate], int]:
    cols = _columns(filename, content, [*known_names, hidden_column, weights_column])
    known = np.column_stack([_numeric(cols[c], c) for c in known_names])
    hidden = _numeric(cols[hidden_column], hidden_column)
    weights = _numeric(cols[weights_column], weights_column) if weights_column else None

    def run() -> list[Estimate]:
        return [
            nsum_size(
                known, known_sizes, hidden, float(population_size), weights=weights,
                degree_ratio=degree_ratio, tx_rate=tx_rate, bootstrap=bootstrap,
                rng=np.random.default_rng(seed) if bootstrap else None,
                known_names=known_names, hidden_name=hidden_column,
            )
        ]  # fmt: skip

    return _wrap(run), len(hidden)


def new_seed() -> int:
    return secrets.randbelow(2**31)
