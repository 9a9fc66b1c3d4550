"""The multiplier (benchmark) method: ``N = M / p``.

``M`` is a count from a service or registry (children seen by a drop-in centre in a
year, reports to a helpline) and ``p`` the share of the hidden population that appears
in that count, estimated from an RDS survey ("did you visit the centre this year?")
with RDS weights. ``M`` is treated as known exactly.

* Delta method: ``SE(N) = M SE(p) / p^2``; the interval is the image of ``p``'s
  interval, clipped to (0, 1], under ``p -> M / p`` (bounds swap), which keeps the
  skew of ``N`` and never goes below ``M``; when ``p``'s interval reaches 0 the upper
  bound is infinite.
* Bootstrap: ``N_b = M / p_b`` for each RDS bootstrap replicate ``p_b``; SE their
  standard deviation, interval their percentiles.

References
----------
UNAIDS/WHO Working Group on Global HIV/AIDS and STI Surveillance (2010). *Guidelines
on estimating the size of populations most at risk to HIV*, ch. 5.

Johnston, L. G., Prybylski, D., Raymond, H. F., et al. (2013). Incorporating the
service multiplier method in respondent-driven sampling surveys to estimate the size
of hidden and hard-to-reach populations. *Sexually Transmitted Diseases* 40(4),
304-310.
"""

from __future__ import annotations

import math

import numpy as np

from kinga.stats.errors import StatsInputError
from kinga.stats.rds.bootstrap import BOOTSTRAP_NAMES, WithinGroup, chain_bootstrap
from kinga.stats.rds.estimate import ESTIMATOR_SOURCES, prepare, rds_proportions
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.tree import RDSSample
from kinga.stats.rds.weights import EstimatorName
from kinga.stats.result import Estimate


def multiplier_size(benchmark: float, proportion: Estimate) -> Estimate:
    """Population size ``M / p`` from a proportion estimate, by the delta method.

    Raises
    ------
    StatsInputError
        When ``M`` is not positive or ``p`` is not in (0, 1].
    """
    if not math.isfinite(benchmark) or benchmark <= 0:
        raise StatsInputError(f"the benchmark count M must be > 0, not {benchmark!r}")
    p = proportion.estimate
    if not 0.0 < p <= 1.0:
        raise StatsInputError(
            f"the estimated proportion in the benchmark is {p:g}; it must be in (0, 1]"
        )
    size = benchmark / p
    se = benchmark * proportion.se / p**2
    low = benchmark / min(proportion.ci_high, 1.0) if proportion.ci_high > 0 else math.inf
    high = benchmark / proportion.ci_low if proportion.ci_low > 0 else math.inf
    if math.isnan(proportion.ci_low) or math.isnan(proportion.ci_high):
        low = high = math.nan
    return Estimate(
        estimate=size,
        se=se,
        ci_low=low,
        ci_high=high,
        n=proportion.n,
        method=f"multiplier M/p (delta method); p: {proportion.method}",
        label=f"population size (multiplier, M={benchmark:g})",
        level=proportion.level,
        notes=proportion.notes,
    )


def multiplier_from_rds(
    sample: RDSSample,
    outcome: Categorical,
    *,
    in_benchmark: str,
    benchmark: float,
    estimator: EstimatorName = "RDS-II",
    population_size: float | None = None,
    exclude_seeds: bool = False,
    bootstrap: int = 0,
    rng: np.random.Generator | None = None,
    within_group: WithinGroup = "uniform",
    level: float = 0.95,
) -> Estimate:
    """Multiplier estimate with ``p`` the RDS-weighted share of level ``in_benchmark``.

    With ``bootstrap`` > 0 the SE and percentile interval come from ``M / p_b`` over
    the RDS bootstrap replicates; otherwise the delta method is used (and needs an SE
    for ``p``, so the result then has ``nan`` SE and interval).
    """
    if in_benchmark not in outcome.levels:
        raise StatsInputError(
            f"level {in_benchmark!r} is not among the outcome's levels: {', '.join(outcome.levels)}"
        )
    index = outcome.levels.index(in_benchmark)
    shares = rds_proportions(
        sample,
        outcome,
        estimator=estimator,
        population_size=population_size,
        exclude_seeds=exclude_seeds,
        level=level,
    )
    if not bootstrap:
        return multiplier_size(benchmark, shares[index])
    if rng is None:
        raise StatsInputError("a bootstrap needs a numpy.random.Generator (rng)")
    point = multiplier_size(benchmark, shares[index])
    analysed, trait = prepare(sample, outcome, exclude_seeds=exclude_seeds)
    replicates = chain_bootstrap(
        analysed,
        trait,
        estimator,
        replicates=bootstrap,
        rng=rng,
        population_size=population_size,
        within_group=within_group,
    )[:, index]
    usable = replicates[np.isfinite(replicates) & (replicates > 0)]
    if usable.size < 2:
        raise StatsInputError("fewer than 2 bootstrap replicates had a positive proportion")
    sizes = benchmark / usable
    tail = (1.0 - level) / 2.0
    low, high = (float(v) for v in np.quantile(sizes, [tail, 1.0 - tail]))
    notes = list(point.notes)
    if usable.size < replicates.size:
        notes.append(f"{replicates.size - usable.size} replicates with p = 0 dropped")
    return Estimate(
        estimate=point.estimate,
        se=float(sizes.std(ddof=1)),
        ci_low=low,
        ci_high=high,
        n=point.n,
        method=(
            f"multiplier M/p; p: {ESTIMATOR_SOURCES[estimator]}; "
            f"{BOOTSTRAP_NAMES[within_group]}, B={bootstrap}, percentile"
        ),
        label=point.label,
        level=level,
        notes=tuple(n for n in notes if not n.startswith("no standard error")),
    )
