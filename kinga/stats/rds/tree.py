"""The recruitment tree of a respondent-driven sample, validated once.

Every RDS estimator here starts from an :class:`RDSSample`: respondents' ids, the row
of each respondent's recruiter (``-1`` for a seed), their reported network size
(degree) and their wave. Building one checks everything the estimators silently rely
on, so that a bad export fails with a message naming the respondent instead of
producing a plausible wrong number.

Seeds
-----
A respondent is a seed when their recruiter value is empty or one of
:data:`SEED_MARKERS` (``seed``, ``0``, ``-1``, ``NA``; case-insensitive) **and that
value is not itself a respondent id**. So with ids ``0, 1, 2`` a recruiter ``0`` means
"recruited by respondent 0", never "seed". Any other recruiter value that is not an id
is an error (an unknown recruiter), not a silent extra seed: R's ``RDS`` package would
treat it as a seed, which hides broken coupon links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError

SEED_MARKERS = frozenset({"", "seed", "0", "-1", "na", "nan", "none", "null"})


@dataclass(frozen=True)
class RDSSample:
    """A validated respondent-driven sample.

    Attributes
    ----------
    ids : respondent ids as given.
    recruiter : row index of each respondent's recruiter; ``-1`` for seeds.
    degree : reported personal network size, all finite and > 0.
    wave : 0 for seeds, recruiter's wave + 1 otherwise.
    """

    ids: tuple[str, ...]
    recruiter: NDArray[np.intp]
    degree: NDArray[np.float64]
    wave: NDArray[np.intp]

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def is_seed(self) -> NDArray[np.bool_]:
        return self.recruiter < 0

    def without_seeds(self) -> RDSSample:
        """The sample with seeds removed; their recruits become the new seeds.

        This is what R's ``RDS`` does when asked for a subset excluding seeds, so
        transitions out of the seeds are no longer counted either.
        """
        keep = ~self.is_seed
        if not keep.any():
            raise StatsInputError("every respondent is a seed: nothing left after excluding seeds")
        return self.subset(keep)

    def subset(self, keep: NDArray[np.bool_]) -> RDSSample:
        """Rows where ``keep`` is true; respondents whose recruiter is dropped become seeds."""
        new_row = np.full(self.n, -1, dtype=np.intp)
        new_row[keep] = np.arange(int(keep.sum()))
        parent = self.recruiter[keep]
        parent_kept = np.where(parent >= 0, new_row[np.maximum(parent, 0)], -1)
        ids = tuple(i for i, k in zip(self.ids, keep.tolist(), strict=True) if k)
        degree = self.degree[keep]
        return RDSSample(ids, parent_kept, degree, _waves(parent_kept, ids))


def build_sample(
    ids: Sequence[str],
    recruiters: Sequence[str],
    degrees: Sequence[float] | NDArray[np.float64],
) -> RDSSample:
    """Validate a recruitment tree and return it as an :class:`RDSSample`.

    Parameters
    ----------
    ids : respondent ids (text; compared exactly after stripping blanks).
    recruiters : each respondent's recruiter id, or a seed marker (see module notes).
    degrees : reported network sizes.

    Raises
    ------
    StatsInputError
        For an empty sample, a missing or duplicated id, an unknown recruiter,
        self-recruitment, a recruitment cycle, no seed at all, or a degree that is
        missing, not positive or not finite. The message names the id and row
        (rows count data rows from 1).
    """
    id_list = [str(i).strip() for i in ids]
    rec_list = [str(r).strip() for r in recruiters]
    degree = np.asarray(degrees, dtype=np.float64)
    n = len(id_list)
    if n == 0:
        raise StatsInputError("the sample is empty")
    if len(rec_list) != n or degree.shape != (n,):
        raise StatsInputError("ids, recruiters and degrees must have the same length")

    row_of: dict[str, int] = {}
    for row, ident in enumerate(id_list):
        if ident == "":
            raise StatsInputError(f"row {row + 1}: respondent id is missing")
        if ident in row_of:
            raise StatsInputError(
                f"id {ident!r} appears twice (rows {row_of[ident] + 1} and {row + 1})"
            )
        row_of[ident] = row

    recruiter = np.empty(n, dtype=np.intp)
    for row, (ident, rec) in enumerate(zip(id_list, rec_list, strict=True)):
        if rec in row_of:
            if rec == ident:
                raise StatsInputError(f"row {row + 1}: respondent {ident!r} recruited themself")
            recruiter[row] = row_of[rec]
        elif rec.lower() in SEED_MARKERS:
            recruiter[row] = -1
        else:
            raise StatsInputError(
                f"row {row + 1}: recruiter {rec!r} of respondent {ident!r} is not a respondent id"
            )

    bad = ~np.isfinite(degree) | (degree <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        what = "missing" if np.isnan(degree[row]) else f"{degree[row]:g}"
        raise StatsInputError(
            f"row {row + 1}: degree of respondent {id_list[row]!r} is {what}; "
            "every respondent needs a network size > 0"
        )
    if not (recruiter < 0).any():
        raise StatsInputError("no seeds: every respondent has a recruiter, so the tree has a cycle")
    return RDSSample(tuple(id_list), recruiter, degree, _waves(recruiter, id_list))


def _waves(recruiter: NDArray[np.intp], ids: Sequence[str]) -> NDArray[np.intp]:
    """Wave of every respondent by breadth-first passes from the seeds.

    A respondent never reached from a seed sits in (or below) a recruitment cycle,
    since every recruiter is known and nobody recruited themself.
    """
    n = len(recruiter)
    wave = np.full(n, -1, dtype=np.intp)
    wave[recruiter < 0] = 0
    current = 0
    while True:
        parent_wave = np.where(recruiter >= 0, wave[np.maximum(recruiter, 0)], -1)
        frontier = (wave < 0) & (parent_wave == current)
        if not frontier.any():
            break
        current += 1
        wave[frontier] = current
    unreached = np.flatnonzero(wave < 0)
    if unreached.size:
        raise StatsInputError(_describe_cycle(recruiter, ids, int(unreached[0])))
    return wave


def _describe_cycle(recruiter: NDArray[np.intp], ids: Sequence[str], start: int) -> str:
    seen: list[int] = []
    row = start
    while row not in seen:
        seen.append(row)
        row = int(recruiter[row])
    loop = [*seen[seen.index(row) :], row]
    chain = " recruited by ".join(repr(ids[r]) for r in loop)
    return f"recruitment cycle: {chain} (row {loop[0] + 1})"
