"""Network diagnostics from an RDS sample: homophily and differential activity.

Both are weighted (Horvitz-Thompson/Hájek) summaries with the weights of any RDS
estimator, as in R's ``RDS`` package.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.tree import RDSSample
from kinga.stats.rds.weights import EstimatorName, estimator_weights


def _hajek_mean(weights: NDArray[np.float64], values: NDArray[np.float64]) -> float:
    return float((weights * values).sum() / weights.sum())


def default_activity_level(outcome: Categorical) -> int:
    """The level R's ``differential.activity.estimates`` puts in the numerator.

    Of the two most frequent levels, the later one in level order.
    """
    counts = np.bincount(outcome.codes[outcome.observed], minlength=outcome.k)
    if outcome.k < 2:
        raise StatsInputError("differential activity needs an outcome with at least two levels")
    top_two = np.argsort(-counts, kind="stable")[:2]
    return int(top_two.max())


def differential_activity(
    sample: RDSSample,
    outcome: Categorical,
    *,
    level: int | None = None,
    estimator: EstimatorName = "RDS-II",
    population_size: float | None = None,
) -> float:
    """Mean degree of members of ``level`` divided by mean degree of everyone else.

    Population mean degrees are weighted means of the reported degrees; with RDS-II
    weights each is the group's harmonic mean degree. ``level`` is a level index and
    defaults to :func:`default_activity_level`. Respondents with a missing outcome
    count as "everyone else", as in ``RDS::differential.activity.estimates``.

    References
    ----------
    Gile, K. J., & Handcock, M. S. (2010). Respondent-driven sampling: an assessment
    of current methodology. *Sociological Methodology* 40, 285-327.
    """
    chosen = default_activity_level(outcome) if level is None else level
    weights = estimator_weights(sample, outcome, estimator, population_size)
    member = (outcome.codes == chosen).astype(np.float64)
    mean_member = _hajek_mean(weights * member, sample.degree)
    mean_other = _hajek_mean(weights * (1.0 - member), sample.degree)
    return mean_member / mean_other


def population_homophily(
    sample: RDSSample,
    outcome: Categorical,
    *,
    level: int,
    estimator: EstimatorName = "RDS-II",
    population_size: float | None = None,
) -> float:
    """Population homophily on "``level`` vs the rest" (Gile & Handcock 2010).

    The ratio of the number of cross-group ties expected without homophily to the
    number estimated: ``2 p (1-p) μ₀ μ₁ / (μ_cross · μ)`` where ``p`` is the group's
    share, ``μ₀, μ₁, μ`` mean degrees and ``μ_cross`` the mean number of ties to the
    other group. A respondent's ties to each group are estimated from the groups of
    the people they recruited (degree x share of recruits in the group), so only
    respondents who recruited someone carry weight — the estimator of
    ``RDS::homophily.estimates(..., recruitment=FALSE)`` without to-group counts.
    For a two-level outcome both levels give the same value.
    """
    observed = outcome.observed
    is_level = (outcome.codes == level).astype(np.float64)
    recruiter = sample.recruiter
    has_parent = recruiter >= 0
    parents = recruiter[has_parent]
    recruits = np.bincount(parents, minlength=sample.n).astype(np.float64)
    recruits_in_level = np.bincount(parents, weights=is_level[has_parent], minlength=sample.n)
    recruited = recruits > 0
    share_in_level = np.divide(recruits_in_level, recruits, out=np.zeros(sample.n), where=recruited)
    ties_in_level = share_in_level * sample.degree
    ties_out_level = (1.0 - share_in_level) * sample.degree

    weights = estimator_weights(sample, outcome, estimator, population_size)
    weights = np.where(recruited & observed, weights, 0.0)
    if weights.sum() == 0:
        raise StatsInputError("homophily needs at least one respondent who recruited someone")
    p = _hajek_mean(weights, is_level)
    if p in (0.0, 1.0):
        raise StatsInputError("homophily is undefined when one group has no weight")
    mean_degree_other = _hajek_mean(weights, sample.degree * (1.0 - is_level)) / (1.0 - p)
    mean_degree_level = _hajek_mean(weights, sample.degree * is_level) / p
    mean_degree = _hajek_mean(weights, sample.degree)
    cross_ties = is_level * ties_out_level + (1.0 - is_level) * ties_in_level
    mean_cross = _hajek_mean(weights, cross_ties)
    return 2.0 * p * (1.0 - p) * mean_degree_other * mean_degree_level / (mean_cross * mean_degree)
