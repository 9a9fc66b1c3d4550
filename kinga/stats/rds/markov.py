"""Recruitment transitions between groups and their stationary distribution.

Functions take a leading batch axis where it helps the bootstrap: ``counts`` may be
``(K, K)`` or ``(B, K, K)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.rds.outcome import Categorical
from kinga.stats.rds.tree import RDSSample

#: Pseudo-count given to every cell of a group's row when that group recruited nobody,
#: as ``RDS::count.transitions`` does; the row then becomes uniform.
EMPTY_ROW_PSEUDOCOUNT = 0.1


def transition_counts(sample: RDSSample, outcome: Categorical) -> NDArray[np.float64]:
    """Count recruiter-group → recruit-group transitions (rows: recruiter's group).

    Pairs where either side's group is missing, and recruits of seeds that are not in
    the sample, are not counted. Rows with no transitions are *not* filled here; see
    :func:`fill_empty_rows`.

    References
    ----------
    Heckathorn, D. D. (2002). Respondent-driven sampling II: deriving valid population
    estimates from chain-referral samples of hidden populations. *Social Problems*
    49(1), 11-34.
    """
    k = outcome.k
    child = np.flatnonzero(sample.recruiter >= 0)
    parent_group = outcome.codes[sample.recruiter[child]]
    child_group = outcome.codes[child]
    ok = (parent_group >= 0) & (child_group >= 0)
    flat = parent_group[ok] * k + child_group[ok]
    return np.bincount(flat, minlength=k * k).astype(np.float64).reshape(k, k)


def fill_empty_rows(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Give rows without transitions a uniform pseudo-count (see module constant)."""
    out = counts.copy()
    empty = out.sum(axis=-1) == 0
    out[empty] = EMPTY_ROW_PSEUDOCOUNT
    return out


def row_proportions(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Maximum-likelihood transition matrix: each row divided by its total."""
    return counts / counts.sum(axis=-1, keepdims=True)


def stationary_distribution(transition: NDArray[np.float64]) -> NDArray[np.float64]:
    """Stationary distribution ``q`` with ``q P = q`` and ``sum(q) = 1``.

    Solved as a linear system (the balance equations with one replaced by the
    normalisation), which is exact for any chain with a single closed class; R's
    ``get.stationary.distribution`` takes the eigenvector for eigenvalue 1 and gives
    the same vector.

    Raises
    ------
    StatsInputError
        When the chain has more than one closed class (some groups never recruit
        across), so no unique stationary distribution exists.
    """
    k = transition.shape[-1]
    system = np.swapaxes(transition, -1, -2) - np.eye(k)
    system[..., -1, :] = 1.0
    rhs = np.zeros(transition.shape[:-1])
    rhs[..., -1] = 1.0
    try:
        q = np.linalg.solve(system, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise StatsInputError(
            "the recruitment transitions have no unique stationary distribution "
            "(some groups never recruit members of other groups)"
        ) from None
    if not np.all(np.isfinite(q)) or np.any(q < -1e-9):
        raise StatsInputError("the recruitment transitions have no unique stationary distribution")
    return np.clip(q, 0.0, None)


def smooth_transitions(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Data-smoothed transition matrix (Heckathorn 2002 "demographic adjustment").

    The raw counts are replaced by ``T · q_i · P_ij`` (the flows the fitted chain would
    produce at equilibrium), symmetrised, and renormalised by row, which makes the chain
    reversible — the same construction as ``RDS::rds.I.weights(smoothed=TRUE)``.
    """
    mle = row_proportions(counts)
    q = stationary_distribution(mle)
    total = counts.sum(axis=(-1, -2), keepdims=True)
    flows = total * q[..., :, None] * mle
    symmetric = 0.5 * (flows + np.swapaxes(flows, -1, -2))
    return row_proportions(symmetric)
