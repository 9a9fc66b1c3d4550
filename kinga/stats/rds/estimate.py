"""RDS prevalence estimates as :class:`~kinga.stats.result.Estimate` objects."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds.bootstrap import BOOTSTRAP_NAMES, WithinGroup, chain_bootstrap
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.successive_sampling import DEFAULT_ITERATIONS
from kinga.stats.rds.tree import RDSSample
from kinga.stats.rds.weights import (
    ESTIMATORS,
    EstimatorName,
    estimator_weights,
    weighted_proportions,
)
from kinga.stats.result import Estimate

ESTIMATOR_SOURCES: dict[str, str] = {
    "RDS-I": "RDS-I, Heckathorn 2002",
    "RDS-I-DS": "RDS-I data-smoothed, Heckathorn 2002",
    "RDS-II": "RDS-II, Volz-Heckathorn 2008",
    "SS": f"Gile's SS 2011, {DEFAULT_ITERATIONS} iterations",
}


def prepare(
    sample: RDSSample, outcome: Categorical, *, exclude_seeds: bool
) -> tuple[RDSSample, Categorical]:
    """The sample and outcome actually analysed (seeds dropped when asked)."""
    if len(outcome.codes) != sample.n:
        raise StatsInputError("the outcome must have one value per respondent")
    if not exclude_seeds:
        return sample, outcome
    keep = ~sample.is_seed
    trimmed = sample.without_seeds()
    return trimmed, outcome.subset(keep)


def rds_proportions(
    sample: RDSSample,
    outcome: Categorical,
    *,
    estimator: EstimatorName = "RDS-II",
    population_size: float | None = None,
    exclude_seeds: bool = False,
    bootstrap: int = 0,
    rng: np.random.Generator | None = None,
    within_group: WithinGroup = "uniform",
    interval: str = "normal",
    level: float = 0.95,
    label: str = "outcome",
) -> list[Estimate]:
    """Estimated population share of every level of ``outcome``, one Estimate each.

    Parameters
    ----------
    sample : the validated recruitment tree.
    outcome : the categorical trait, one value per respondent.
    estimator : ``"RDS-I"``, ``"RDS-I-DS"``, ``"RDS-II"`` or ``"SS"`` (needs N).
    population_size : N; needed for SS, used for the finite-population factor of the
        design effect otherwise.
    exclude_seeds : drop the seeds before estimating (their recruits become seeds, so
        transitions out of the seeds are dropped too). Default: seeds included, as in
        R's ``RDS``.
    bootstrap : number of bootstrap replicates; 0 for the point estimate only (the
        standard error and interval are then ``nan``).
    rng : the generator every random draw comes from; required with ``bootstrap``.
    within_group : how the bootstrap draws a degree within a group (see
        :mod:`kinga.stats.rds.bootstrap`).
    interval : ``"normal"`` (estimate ± z·bootstrap SE, R's default "t" type) or
        ``"percentile"`` (bootstrap quantiles).
    level : confidence level.
    label : the outcome's name, for the labels ``prop(<label>=<level>)``.

    Returns
    -------
    One :class:`Estimate` per level, in level order, with ``by={"level": value}``.
    The design effect (bootstrap variance over the simple-random-sampling variance
    ``p(1-p)/n``, times ``(N-n)/(N-1)`` when N is known) is given with a bootstrap.

    Notes
    -----
    ``n`` is the number of respondents with an observed outcome in the analysis.

    References
    ----------
    See :mod:`kinga.stats.rds.weights` and :mod:`kinga.stats.rds.bootstrap`.
    """
    if estimator not in ESTIMATORS:
        raise StatsInputError(
            f"unknown estimator {estimator!r}; choose one of {', '.join(ESTIMATORS)}"
        )
    if interval not in ("normal", "percentile"):
        raise StatsInputError(f"interval must be 'normal' or 'percentile', not {interval!r}")
    if not 0.0 < level < 1.0:
        raise StatsInputError(f"confidence level must be between 0 and 1, not {level}")
    analysed, trait = prepare(sample, outcome, exclude_seeds=exclude_seeds)
    weights = estimator_weights(analysed, trait, estimator, population_size)
    point = weighted_proportions(weights, trait)
    n_used = int(trait.observed.sum())

    notes = ["seeds excluded" if exclude_seeds else "seeds included"]
    missing = analysed.n - n_used
    if missing:
        notes.append(f"{missing} respondents with missing {label} left out")
    method = ESTIMATOR_SOURCES[estimator]

    if bootstrap:
        if rng is None:
            raise StatsInputError("a bootstrap needs a numpy.random.Generator (rng)")
        replicates = chain_bootstrap(
            analysed,
            trait,
            estimator,
            replicates=bootstrap,
            rng=rng,
            population_size=population_size,
            within_group=within_group,
        )
        usable = replicates[np.all(np.isfinite(replicates), axis=1)]
        if usable.shape[0] < 2:
            raise StatsInputError("fewer than 2 bootstrap replicates gave an estimate")
        if usable.shape[0] < replicates.shape[0]:
            notes.append(f"{replicates.shape[0] - usable.shape[0]} bootstrap replicates dropped")
        se = usable.std(axis=0, ddof=1)
        low, high = _interval(point, se, usable, interval, level)
        deff: list[float | None] = _design_effect(point, se, n_used, population_size)
        method += f"; {BOOTSTRAP_NAMES[within_group]}, B={bootstrap}, {interval} interval"
    else:
        se = low = high = np.full(trait.k, np.nan)
        deff = [None] * trait.k
        notes.append("no standard error without a bootstrap")

    return [
        Estimate(
            estimate=float(point[i]),
            se=float(se[i]),
            ci_low=float(low[i]),
            ci_high=float(high[i]),
            deff=deff[i],
            n=n_used,
            method=method,
            label=f"prop({label}={value})",
            level=level,
            by={"level": value},
            notes=tuple(notes),
        )
        for i, value in enumerate(trait.levels)
    ]


def _interval(
    point: NDArray[np.float64],
    se: NDArray[np.float64],
    replicates: NDArray[np.float64],
    interval: str,
    level: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if interval == "percentile":
        tail = (1.0 - level) / 2.0
        low, high = np.quantile(replicates, [tail, 1.0 - tail], axis=0)
        return low, high
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    return point - z * se, point + z * se


def _design_effect(
    point: NDArray[np.float64],
    se: NDArray[np.float64],
    n: int,
    population_size: float | None,
) -> list[float | None]:
    srs = point * (1.0 - point) / n
    if population_size is not None and population_size > 1:
        srs = srs * (population_size - n) / (population_size - 1)
    out: list[float | None] = []
    for v, s in zip(srs, se, strict=True):
        out.append(float(s**2 / v) if v > 0 and math.isfinite(s) else None)
    return out
