"""Respondent weights for the RDS estimators and the proportions they give.

=========  ==============================================================  ===========
name       weights                                                         needs ``N``
=========  ==============================================================  ===========
RDS-I      group share from the recruitment Markov chain's stationary      no
           distribution ÷ group harmonic-mean degree, spread evenly over
           the group's respondents (Heckathorn 2002; Salganik &
           Heckathorn 2004)
RDS-I-DS   the same with the data-smoothed (reversible) transition matrix  no
RDS-II     ``1 / degree`` (Volz & Heckathorn 2008)                         no
SS         Gile's successive-sampling weights (Gile 2011)                  yes
=========  ==============================================================  ===========

Data smoothing symmetrises the equilibrium recruitment flows, which keeps every
group's total flow, so the smoothed chain has the same stationary distribution and
RDS-I-DS point estimates equal RDS-I's (as in R's ``RDS``, built the same way); it
matters for the transition matrix it reports and for Heckathorn's reciprocity
equations, not for these weights.

Weights sum to ``N`` when a population size is given, else to 1. Respondents whose
outcome is missing get weight 0 under RDS-I (which is defined per group) and their
degree-based weight otherwise; proportions always use the respondents with an observed
outcome only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds import markov
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.successive_sampling import DEFAULT_ITERATIONS, ss_weights
from kinga.stats.rds.tree import RDSSample

EstimatorName = Literal["RDS-I", "RDS-I-DS", "RDS-II", "SS"]
ESTIMATORS: tuple[EstimatorName, ...] = ("RDS-I", "RDS-I-DS", "RDS-II", "SS")


def rds_ii_weights(degree: NDArray[np.float64]) -> NDArray[np.float64]:
    """Volz-Heckathorn weights ``1 / d_i``, normalised to sum to 1.

    References
    ----------
    Volz, E., & Heckathorn, D. D. (2008). Probability based estimation theory for
    respondent driven sampling. *J. Official Statistics* 24(1), 79-97.
    """
    inverse = 1.0 / degree
    return inverse / inverse.sum()


def rds_i_proportions(
    sample: RDSSample, outcome: Categorical, *, smoothed: bool = False
) -> NDArray[np.float64]:
    """RDS-I estimate of each level's population share.

    ``P̂_g ∝ q_g / h_g`` with ``q`` the stationary distribution of the row-normalised
    transition counts and ``h_g`` the harmonic mean degree of the group's respondents.
    Matches ``RDS::RDS.I.estimates`` (and ``compute.weights(..., "RDS-I")``).

    References
    ----------
    Heckathorn, D. D. (2002). Respondent-driven sampling II. *Social Problems* 49(1),
    11-34. Salganik, M. J., & Heckathorn, D. D. (2004). Sampling and estimation in
    hidden populations using respondent-driven sampling. *Sociological Methodology*
    34, 193-239.
    """
    counts = markov.fill_empty_rows(markov.transition_counts(sample, outcome))
    transition = markov.smooth_transitions(counts) if smoothed else markov.row_proportions(counts)
    q = markov.stationary_distribution(transition)
    return _share_over_harmonic_degree(q, sample.degree, outcome)


def _share_over_harmonic_degree(
    q: NDArray[np.float64], degree: NDArray[np.float64], outcome: Categorical
) -> NDArray[np.float64]:
    observed = outcome.observed
    codes = outcome.codes[observed]
    n_group = np.bincount(codes, minlength=outcome.k)
    inverse_sum = np.bincount(codes, weights=1.0 / degree[observed], minlength=outcome.k)
    # q / harmonic mean = q * mean(1/d); a group nobody belongs to contributes 0.
    mean_inverse = np.divide(inverse_sum, n_group, out=np.zeros(outcome.k), where=n_group > 0)
    raw = q * mean_inverse
    return raw / raw.sum()


def estimator_weights(
    sample: RDSSample,
    outcome: Categorical,
    estimator: EstimatorName,
    population_size: float | None = None,
    *,
    ss_iterations: int = DEFAULT_ITERATIONS,
) -> NDArray[np.float64]:
    """Weight of every respondent under ``estimator`` (sums to ``N`` or to 1).

    Raises
    ------
    StatsInputError
        For an unknown estimator, ``SS`` without ``N``, or ``N`` below the sample size.
    """
    if population_size is not None and population_size < sample.n:
        raise StatsInputError(
            f"population size N = {population_size:g} is smaller than the sample size {sample.n}"
        )
    if estimator in ("RDS-I", "RDS-I-DS"):
        shares = rds_i_proportions(sample, outcome, smoothed=estimator == "RDS-I-DS")
        n_group = np.bincount(outcome.codes[outcome.observed], minlength=outcome.k)
        per_person = np.divide(shares, n_group, out=np.zeros(outcome.k), where=n_group > 0)
        weights = np.where(outcome.observed, per_person[np.maximum(outcome.codes, 0)], 0.0)
    elif estimator == "RDS-II":
        weights = rds_ii_weights(sample.degree)
    elif estimator == "SS":
        if population_size is None:
            raise StatsInputError("the SS estimator needs the population size N (--N)")
        weights = ss_weights(sample.degree, population_size, iterations=ss_iterations)
    else:
        raise StatsInputError(
            f"unknown estimator {estimator!r}; choose one of {', '.join(ESTIMATORS)}"
        )
    scale = 1.0 if population_size is None else float(population_size)
    return np.asarray(scale * weights / weights.sum(), dtype=np.float64)


def weighted_proportions(weights: NDArray[np.float64], outcome: Categorical) -> NDArray[np.float64]:
    """Share of the weight in each level, over respondents with an observed outcome."""
    observed = outcome.observed
    totals = np.bincount(outcome.codes[observed], weights=weights[observed], minlength=outcome.k)
    return np.asarray(totals / totals.sum(), dtype=np.float64)
