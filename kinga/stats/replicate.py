"""Replicate-weight variance: jackknife, bootstrap, or replicate columns supplied.

A :class:`ReplicateDesign` holds full-sample weights and an ``(n, R)`` matrix of
replicate weights. An estimate is recomputed with every replicate's weights (one matrix
product for all of them) and

.. math:: \\hat V = c \\sum_r \\rho_r (\\hat\\theta_r - \\tilde\\theta)^2

with ``c = scale``, :math:`\\rho_r` = ``rscales`` and :math:`\\tilde\\theta` the mean of
the replicates (or the full-sample estimate when ``mse=True``), as R's ``svrVar``.

- :func:`jackknife`: delete-one-PSU jackknife. One stratum: JK1, ``c = (n-1)/n``;
  several: JKn, :math:`\\rho_r = (n_h-1)/n_h`. The fpc multiplies :math:`\\rho_r` by
  :math:`1 - f_h` (R's ``jk1weights``/``jknweights``).
- :func:`bootstrap`: Rao-Wu (1988) rescaling bootstrap: in each stratum draw
  :math:`n_h - 1` PSUs with replacement; a PSU drawn *k* times gets weight
  :math:`w \\cdot k\\, n_h/(n_h-1)`; ``c = 1/(R-1)`` (R's ``bootweights``). It is a
  with-replacement method and ignores the fpc (a note says so).
- :func:`from_replicate_weights`: replicate columns published with a survey (DHS, MICS
  and most national surveys): JK1, bootstrap, BRR or Fay's BRR with their usual scales.

References
----------
Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data.
*JASA* 83, 231-241.
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 4-5. Springer.
Lumley, T. R package ``survey``: ``as.svrepdesign``, ``svrepdesign``, ``svrVar``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from kinga.stats.design import BoolArray, FloatArray, SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate
from kinga.stats.survey.intervals import wald_interval

ReplicateKind = Literal["JK1", "JKn", "bootstrap", "BRR", "Fay", "other"]


@dataclass(frozen=True)
class ReplicateDesign:
    """Full-sample and replicate weights with the constants of the variance formula.

    Attributes
    ----------
    weights : full-sample weights, shape (n,).
    replicate_weights : shape (n, R).
    scale : overall multiplier ``c``.
    rscales : per-replicate multipliers, shape (R,).
    mse : centre on the full-sample estimate instead of the replicates' mean.
    kind : how the replicates were made (for the method string).
    df : degrees of freedom, the rank of the replicate weights minus one (R's ``degf``).
    notes : caveats carried to every estimate.
    """

    weights: FloatArray
    replicate_weights: FloatArray
    scale: float
    rscales: FloatArray
    mse: bool
    kind: str
    df: float
    notes: tuple[str, ...] = ()

    @property
    def n_rows(self) -> int:
        return int(self.weights.shape[0])

    @property
    def replicates(self) -> int:
        return int(self.replicate_weights.shape[1])

    def variance(self, full: float, replicates: FloatArray) -> float:
        """Variance of an estimate from its full-sample and replicate values."""
        centre = full if self.mse else float(np.mean(replicates))
        return float(self.scale * np.sum(self.rscales * (replicates - centre) ** 2))


def jackknife(
    design: SurveyDesign, *, kind: Literal["auto", "JK1", "JKn"] = "auto", mse: bool = False
) -> ReplicateDesign:
    """Delete-one-PSU jackknife replicates of a Taylor design (R's ``as.svrepdesign``).

    ``kind="auto"`` is JK1 for an unstratified design and JKn otherwise; ``"JK1"`` on a
    stratified design ignores the strata (conservative), as R does with a warning.
    """
    stage = design.stage1
    stratified = stage.n_strata > 1
    chosen = ("JKn" if stratified else "JK1") if kind == "auto" else kind
    psu_stratum = stage.stratum_of_unit if chosen == "JKn" else np.zeros(stage.n_units, np.intp)
    n_h = np.bincount(psu_stratum).astype(np.float64)
    if chosen == "JKn":
        fpc_factor = stage.fpc_factor
    else:  # one pseudo-stratum: a single (1 - f) only makes sense without strata
        fpc_factor = np.array([stage.fpc_factor[0] if not stratified else 1.0])
    droppable = n_h[psu_stratum] > 1
    if not droppable.all() and design.lonely_psu == "fail":
        label = stage.stratum_labels[int(psu_stratum[~droppable][0])]
        raise StatsInputError(
            f"stratum {label!r} has only one PSU, which a jackknife cannot drop; choose a "
            "lonely-PSU rule"
        )
    dropped = np.flatnonzero(droppable & (fpc_factor[psu_stratum] > 0))
    # multiplier[psu, r]: 0 for the dropped PSU, n_h/(n_h-1) for the rest of its stratum
    h = psu_stratum[dropped]
    same = psu_stratum[:, None] == h[None, :]
    multiplier = np.where(same, (n_h / np.maximum(n_h - 1, 1))[h][None, :], 1.0)
    multiplier[dropped, np.arange(dropped.size)] = 0.0
    rscales = ((n_h - 1) / n_h)[h] * fpc_factor[h]
    scale = 1.0
    if chosen == "JK1":
        scale, rscales = float(rscales[0]), np.ones(dropped.size)
    weights = design.weights[:, None] * multiplier[stage.unit_of_row]
    return ReplicateDesign(
        design.weights, weights, scale, rscales, mse, chosen, _rank_df(multiplier)
    )


def bootstrap(
    design: SurveyDesign, replicates: int, rng: np.random.Generator, *, mse: bool = False
) -> ReplicateDesign:
    """Rao-Wu rescaling bootstrap with ``replicates`` replicates drawn from ``rng``."""
    if replicates < 2:
        raise StatsInputError("the bootstrap needs at least 2 replicates")
    stage = design.stage1
    multiplier = np.ones((stage.n_units, replicates), dtype=np.float64)
    for h in range(stage.n_strata):  # a loop over strata, never over rows
        members = np.flatnonzero(stage.stratum_of_unit == h)
        n_h = members.size
        if n_h < 2:
            if design.lonely_psu == "fail":
                raise StatsInputError(
                    f"stratum {stage.stratum_labels[h]!r} has only one PSU; choose a lonely-PSU "
                    "rule for the bootstrap"
                )
            continue
        counts = rng.multinomial(n_h - 1, np.full(n_h, 1.0 / n_h), size=replicates)
        multiplier[members] = counts.T * (n_h / (n_h - 1.0))
    weights = design.weights[:, None] * multiplier[stage.unit_of_row]
    notes = ("with-replacement bootstrap: the fpc is not used",) if design.has_fpc else ()
    return ReplicateDesign(
        design.weights,
        weights,
        1.0 / (replicates - 1),
        np.ones(replicates),
        mse,
        "bootstrap (Rao-Wu)",
        _rank_df(multiplier),
        notes,
    )


def from_replicate_weights(
    weights: ArrayLike,
    replicate_weights: ArrayLike,
    *,
    kind: ReplicateKind,
    scale: float | None = None,
    rscales: ArrayLike | None = None,
    fay_rho: float = 0.0,
    mse: bool = False,
) -> ReplicateDesign:
    """A replicate design from weight columns shipped with a survey.

    Default scales: JK1 ``(R-1)/R``; bootstrap ``1/(R-1)``; BRR ``1/R``; Fay
    ``1/(R(1-rho)^2)``. ``JKn`` and ``other`` need ``scale`` and/or ``rscales``.
    """
    w = np.asarray(weights, dtype=np.float64)
    reps = np.asarray(replicate_weights, dtype=np.float64)
    if reps.ndim != 2 or reps.shape[0] != w.shape[0]:
        raise StatsInputError("replicate weights must be a (rows x replicates) matrix")
    if np.isnan(w).any() or np.isnan(reps).any():
        raise StatsInputError("weights and replicate weights may not be missing")
    if (w < 0).any() or (reps < 0).any():
        raise StatsInputError("weights and replicate weights must be non-negative")
    r = reps.shape[1]
    defaults = {
        "JK1": (r - 1) / r,
        "bootstrap": 1.0 / max(r - 1, 1),
        "BRR": 1.0 / r,
        "Fay": 1.0 / (r * (1.0 - fay_rho) ** 2),
    }
    if scale is None:
        if kind not in defaults:
            raise StatsInputError(f"replicate kind {kind!r} needs an explicit scale")
        scale = defaults[kind]
    rs = np.ones(r) if rscales is None else np.asarray(rscales, dtype=np.float64)
    if rs.shape != (r,):
        raise StatsInputError(f"rscales needs {r} values")
    df = float(np.linalg.matrix_rank(reps) - 1)
    return ReplicateDesign(w, reps, float(scale), rs, mse, kind, df)


# ---------------------------------------------------------------------- estimators
def replicate_mean(
    design: ReplicateDesign,
    y: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    level: float = 0.95,
    label: str = "mean",
    by: Mapping[str, Any] | None = None,
) -> Estimate:
    """Weighted mean with replicate-weight variance."""
    values, rows = _prepare(design, y, domain, na_rm, label)
    full_w = design.weights * rows
    rep_w = design.replicate_weights * rows[:, None]
    totals = rep_w.sum(axis=0)
    if not full_w.sum() > 0:
        raise StatsInputError(f"{label}: the rows in use have zero total weight")
    full = float(full_w @ values / full_w.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (values @ rep_w) / totals
    return _estimate(design, full, reps, rows, level, label, by, "mean")


def replicate_total(
    design: ReplicateDesign,
    y: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    level: float = 0.95,
    label: str = "total",
    by: Mapping[str, Any] | None = None,
) -> Estimate:
    """Weighted total with replicate-weight variance."""
    values, rows = _prepare(design, y, domain, na_rm, label)
    values = values * rows
    full = float(design.weights @ values)
    reps = values @ design.replicate_weights
    return _estimate(design, full, reps, rows, level, label, by, "total")


def replicate_ratio(
    design: ReplicateDesign,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    level: float = 0.95,
    label: str = "ratio",
) -> Estimate:
    """Ratio of weighted totals with replicate-weight variance."""
    x = np.asarray(denominator, dtype=np.float64)
    y = np.where(np.isnan(x), np.nan, np.asarray(numerator, dtype=np.float64))
    values, rows = _prepare(design, y, domain, na_rm, label)
    x = np.where(rows, x, 0.0)
    values = values * rows
    full = float(design.weights @ values) / float(design.weights @ x)
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (values @ design.replicate_weights) / (x @ design.replicate_weights)
    return _estimate(design, full, reps, rows, level, label, None, "ratio")


def _prepare(
    design: ReplicateDesign, y: ArrayLike, domain: BoolArray | None, na_rm: bool, label: str
) -> tuple[FloatArray, BoolArray]:
    values = np.asarray(y, dtype=np.float64)
    if values.shape != (design.n_rows,):
        raise StatsInputError(f"{label}: expected {design.n_rows} values")
    rows = np.ones(design.n_rows, np.bool_) if domain is None else np.asarray(domain, np.bool_)
    if not rows.any():
        raise StatsInputError(f"{label}: the domain is empty (no row matches it)")
    absent = np.isnan(values) & rows
    if absent.any():
        if not na_rm:
            row = int(np.flatnonzero(absent)[0]) + 1
            raise StatsInputError(f"{label}: missing value in row {row}; use na_rm")
        rows = rows & ~absent
    return np.where(np.isnan(values), 0.0, values), rows


def _estimate(
    design: ReplicateDesign,
    full: float,
    replicates: FloatArray,
    rows: BoolArray,
    level: float,
    label: str,
    by: Mapping[str, Any] | None,
    statistic: str,
) -> Estimate:
    usable = np.isfinite(replicates)
    notes = design.notes
    if not usable.all():  # a replicate with no weight in a small domain
        notes = (*notes, f"{int((~usable).sum())} replicate(s) undefined in this domain")
        replicates = np.where(usable, replicates, full)
    se = math.sqrt(design.variance(full, replicates))
    low, high = wald_interval(full, se, level, design.df)
    return Estimate(
        estimate=full,
        se=se,
        ci_low=low,
        ci_high=high,
        df=design.df,
        n=int(rows.sum()),
        method=f"{statistic}, replicate weights ({design.kind})",
        label=label,
        level=level,
        by=dict(by or {}),
        notes=notes,
    )


def _rank_df(multiplier: FloatArray) -> float:
    return float(np.linalg.matrix_rank(multiplier) - 1)
