"""Markov-chain bootstrap for RDS proportions (Salganik 2006), vectorised.

Each replicate is a synthetic RDS sample of the same size as the analysed sample:

1. the first respondent's group is drawn uniformly from the sample's group labels;
2. each next respondent's group is drawn from the previous one's row of the observed
   recruitment transition matrix (a group that recruited nobody uses the groups of all
   recruits instead, as ``RDS:::salganik.bootstrap.estimates`` does);
3. each respondent's degree is drawn from the observed degrees of their group —
   ``within_group="uniform"``: every member equally likely (Salganik 2006, and what
   ``RDS`` 0.9's ``salganik.bootstrap.estimates`` does); ``within_group="degree"``: a
   member is drawn with probability proportional to their degree (the variant
   described for the ``RDS`` package in our reference notes; it favours well-connected
   respondents a second time and gives narrower intervals for degree-linked traits);
4. the estimator is applied to the replicate, a chain in which respondent ``i``
   recruited respondent ``i + 1``.

All replicates advance together: one vectorised step per chain position, so the cost
is ``n`` NumPy operations on arrays of length ``B``, not ``n · B`` Python steps.
Randomness comes only from the ``numpy.random.Generator`` passed in.

R's bootstrap samples have ``(number of recruits) + 1`` respondents; ours have as
many as the analysed sample (seeds included or not), as in Salganik's paper.

References
----------
Salganik, M. J. (2006). Variance estimation, design effects, and sample size
calculations for respondent-driven sampling. *Journal of Urban Health* 83(suppl 1),
98-112.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds import markov
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.successive_sampling import DEFAULT_ITERATIONS, ss_class_probabilities
from kinga.stats.rds.tree import RDSSample
from kinga.stats.rds.weights import EstimatorName

WithinGroup = Literal["uniform", "degree"]

BOOTSTRAP_NAMES: dict[str, str] = {
    "uniform": "Salganik Markov-chain bootstrap (uniform within group)",
    "degree": "Markov-chain bootstrap (degree-proportional within group)",
}


def chain_bootstrap(
    sample: RDSSample,
    outcome: Categorical,
    estimator: EstimatorName,
    *,
    replicates: int,
    rng: np.random.Generator,
    population_size: float | None = None,
    within_group: WithinGroup = "uniform",
    ss_iterations: int = DEFAULT_ITERATIONS,
) -> NDArray[np.float64]:
    """Bootstrap replicates of the level proportions, shape ``(replicates, K)``.

    Raises
    ------
    StatsInputError
        For fewer than 2 replicates, an unknown ``within_group``, or a sample with no
        recruitment between respondents with an observed outcome.
    """
    if replicates < 2:
        raise StatsInputError("the bootstrap needs at least 2 replicates")
    if within_group not in BOOTSTRAP_NAMES:
        raise StatsInputError(f"within_group must be 'uniform' or 'degree', not {within_group!r}")
    k = outcome.k
    observed = outcome.observed
    groups = outcome.codes[observed]
    degrees = sample.degree[observed]
    size = groups.size

    counts = markov.transition_counts(sample, outcome)
    if counts.sum() == 0:
        raise StatsInputError("the bootstrap needs at least one recruitment between respondents")
    empty = counts.sum(axis=1) == 0
    counts[empty] = counts.sum(axis=0)
    cumulative = np.cumsum(markov.row_proportions(counts), axis=1)
    cumulative[:, -1] = 1.0  # guard against rounding leaving a gap below 1

    chain = np.empty((replicates, size), dtype=np.intp)
    chain[:, 0] = groups[rng.integers(0, size, size=replicates)]
    steps = rng.random((size, replicates))
    for position in range(1, size):
        previous = cumulative[chain[:, position - 1]]
        chain[:, position] = (steps[position, :, None] >= previous).sum(axis=1)
    np.minimum(chain, k - 1, out=chain)

    order = np.argsort(groups, kind="stable")
    member = _draw_members(groups[order], degrees[order], chain, rng, within_group, k)
    drawn_degree = degrees[order][member]

    if estimator in ("RDS-I", "RDS-I-DS"):
        return _rds_i(chain, drawn_degree, k, smoothed=estimator == "RDS-I-DS")
    if estimator == "RDS-II":
        return _group_shares(chain, 1.0 / drawn_degree, k)
    if estimator == "SS":
        if population_size is None:
            raise StatsInputError("the SS estimator needs the population size N (--N)")
        classes, class_of_member = np.unique(degrees[order], return_inverse=True)
        class_index = class_of_member[member]
        rows = np.arange(replicates)[:, None]
        class_counts = np.zeros((replicates, classes.size))
        np.add.at(class_counts, (np.broadcast_to(rows, class_index.shape), class_index), 1.0)
        probs = ss_class_probabilities(
            classes.astype(np.float64),
            class_counts,
            population_size,
            iterations=ss_iterations,
        )
        weight = 1.0 / np.take_along_axis(probs, class_index, axis=1)
        return _group_shares(chain, weight, k)
    raise StatsInputError(f"unknown estimator {estimator!r}")


def _draw_members(
    groups: NDArray[np.intp],
    degrees: NDArray[np.float64],
    chain: NDArray[np.intp],
    rng: np.random.Generator,
    within_group: WithinGroup,
    k: int,
) -> NDArray[np.intp]:
    """Index of the member drawn at each chain position.

    ``groups`` and ``degrees`` must be sorted by group, so each group's members are a
    contiguous block starting at ``start_of[g]``.
    """
    size_of = np.bincount(groups, minlength=k)
    start_of = np.concatenate(([0], np.cumsum(size_of)[:-1]))
    u = rng.random(chain.shape)
    if within_group == "uniform":
        offset = np.minimum((u * size_of[chain]).astype(np.intp), size_of[chain] - 1)
        return np.asarray(start_of[chain] + offset, dtype=np.intp)
    cumulative = np.cumsum(degrees)
    before = np.concatenate(([0.0], cumulative))[start_of]
    total = np.bincount(groups, weights=degrees, minlength=k)
    target = before[chain] + u * total[chain]
    index = np.searchsorted(cumulative, target, side="right")
    low = start_of[chain]
    high = low + size_of[chain] - 1
    return np.asarray(np.clip(index, low, high), dtype=np.intp)


def _group_totals(
    chain: NDArray[np.intp], weight: NDArray[np.float64], k: int
) -> NDArray[np.float64]:
    """Sum of ``weight`` per (replicate, group)."""
    replicates = chain.shape[0]
    flat = (np.arange(replicates)[:, None] * k + chain).ravel()
    totals = np.bincount(flat, weights=weight.ravel(), minlength=replicates * k)
    return totals.reshape(replicates, k)


def _group_shares(
    chain: NDArray[np.intp], weight: NDArray[np.float64], k: int
) -> NDArray[np.float64]:
    totals = _group_totals(chain, weight, k)
    return totals / totals.sum(axis=1, keepdims=True)


def _rds_i(
    chain: NDArray[np.intp], degree: NDArray[np.float64], k: int, *, smoothed: bool
) -> NDArray[np.float64]:
    replicates = chain.shape[0]
    rows = np.arange(replicates)[:, None]
    flat = ((rows * k + chain[:, :-1]) * k + chain[:, 1:]).ravel()
    counts = np.bincount(flat, minlength=replicates * k * k).astype(np.float64)
    counts = markov.fill_empty_rows(counts.reshape(replicates, k, k))
    transition = markov.smooth_transitions(counts) if smoothed else markov.row_proportions(counts)
    q = markov.stationary_distribution(transition)
    members = _group_totals(chain, np.ones_like(degree), k)
    inverse = _group_totals(chain, 1.0 / degree, k)
    # q / harmonic mean degree = q * mean(1/d); a group absent from a replicate gets 0.
    mean_inverse = np.divide(inverse, members, out=np.zeros_like(inverse), where=members > 0)
    raw = q * mean_inverse
    return raw / raw.sum(axis=1, keepdims=True)
