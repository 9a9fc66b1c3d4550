"""Respondent-driven sampling: recruitment trees, estimators, diagnostics, bootstrap.

Start with :func:`build_sample` (validates the tree) and :func:`categorical` (encodes
the trait), then :func:`rds_proportions`.
"""

from kinga.stats.rds.bootstrap import chain_bootstrap
from kinga.stats.rds.diagnostics import (
    default_activity_level,
    differential_activity,
    population_homophily,
)
from kinga.stats.rds.estimate import rds_proportions
from kinga.stats.rds.markov import (
    fill_empty_rows,
    row_proportions,
    stationary_distribution,
    transition_counts,
)
from kinga.stats.rds.outcome import Categorical, categorical
from kinga.stats.rds.successive_sampling import ss_inclusion, ss_weights
from kinga.stats.rds.tree import SEED_MARKERS, RDSSample, build_sample
from kinga.stats.rds.weights import (
    ESTIMATORS,
    EstimatorName,
    estimator_weights,
    rds_i_proportions,
    rds_ii_weights,
    weighted_proportions,
)

__all__ = [
    "ESTIMATORS",
    "SEED_MARKERS",
    "Categorical",
    "EstimatorName",
    "RDSSample",
    "build_sample",
    "categorical",
    "chain_bootstrap",
    "default_activity_level",
    "differential_activity",
    "estimator_weights",
    "fill_empty_rows",
    "population_homophily",
    "rds_i_proportions",
    "rds_ii_weights",
    "rds_proportions",
    "row_proportions",
    "ss_inclusion",
    "ss_weights",
    "stationary_distribution",
    "transition_counts",
    "weighted_proportions",
]
