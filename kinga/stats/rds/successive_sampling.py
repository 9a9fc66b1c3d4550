"""Gile's successive-sampling (SS) weights, computed deterministically.

Gile (2011) models RDS as successive sampling: units are drawn without replacement
with probability proportional to degree. The inclusion probability of a unit then
depends on the degree distribution of the *population*, which is itself estimated from
the sample — hence an iteration:

1. start from the RDS-II (Volz-Heckathorn) estimate of the population share of each
   degree value ``d_k``: ``p_k ∝ n_k / d_k``;
2. with ``N_k = N p_k`` units of degree ``d_k``, compute each class's SS inclusion
   probability ``π_k`` for a sample of size ``n``;
3. update ``p_k ∝ n_k / π_k`` and go back to 2.

R's ``RDS::gile.ss.weights`` runs step 2 by Monte-Carlo (``number.ss.samples.per.
iteration = 500`` simulated samples) after rounding ``N_k`` to integers, and repeats
step 3 ``number.ss.iterations = 5`` times. Here step 2 is deterministic: successive
sampling with probability ∝ degree is exactly "give every unit an exponential clock of
rate ``d_i`` and take the first ``n`` to ring", so ``π_k = 1 - exp(-d_k t)`` with ``t``
the time at which ``Σ_k N_k (1 - exp(-d_k t)) = n`` (Rosén 1972's approximation,
exact as N grows). The same :data:`DEFAULT_ITERATIONS` = 5 updates are made, without
rounding ``N_k``, so results agree with R's to within its Monte-Carlo error and are
reproducible. As in R, when ``n / N`` is below ``ss_infinity`` (0.04) the weights are
the RDS-II weights.

References
----------
Gile, K. J. (2011). Improved inference for respondent-driven sampling data with
application to HIV prevalence estimation. *JASA* 106(493), 135-146.

Rosén, B. (1972). Asymptotic theory for successive sampling with varying
probabilities without replacement, I. *Ann. Math. Statist.* 43(2), 373-397.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError

DEFAULT_ITERATIONS = 5
DEFAULT_SS_INFINITY = 0.04
_NEWTON_STEPS = 100


def ss_inclusion(
    classes: NDArray[np.float64],
    population: NDArray[np.float64],
    n: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """SS inclusion probability of a unit in each degree class.

    Parameters
    ----------
    classes : ``(C,)`` distinct degrees.
    population : ``(..., C)`` number of population units in each class (may be
        fractional; a leading batch axis is allowed).
    n : sample size, smaller than the population total (``(..., 1)`` when batched).

    Returns
    -------
    ``(..., C)`` inclusion probabilities ``1 - exp(-d_k t)``.
    """
    # f(t) = Σ N_k (1 - e^{-d_k t}) - n is increasing and concave with f(0) = -n < 0,
    # so Newton's method from t = 0 climbs monotonically to the root without overshoot.
    t = np.zeros((*population.shape[:-1], 1))
    for _ in range(_NEWTON_STEPS):
        decay = np.exp(-classes * t)
        value = (population * (1.0 - decay)).sum(axis=-1, keepdims=True) - n
        slope = (population * classes * decay).sum(axis=-1, keepdims=True)
        step = value / slope
        t = t - step
        if np.all(np.abs(step) <= 1e-13 * np.maximum(t, 1e-300)):
            break
    return -np.expm1(-classes * t)


def ss_class_probabilities(
    classes: NDArray[np.float64],
    counts: NDArray[np.float64],
    population_size: float,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    ss_infinity: float = DEFAULT_SS_INFINITY,
) -> NDArray[np.float64]:
    """Inclusion probabilities per degree class after ``iterations`` updates.

    ``counts`` is ``(..., C)``: sample count of each class (a batch axis allowed).
    The result is proportional to the SS inclusion probability; classes with no
    sampled unit get the value their degree implies all the same.
    """
    n = counts.sum(axis=-1, keepdims=True)
    size = float(population_size)
    if np.any(n > size):
        raise StatsInputError(f"population size N = {size:g} is smaller than the sample size")
    share = counts / classes
    share = share / share.sum(axis=-1, keepdims=True)
    if np.all(size * ss_infinity >= n):
        # Small sampling fraction: SS and RDS-II coincide (R's ``SS.infinity`` rule).
        return np.broadcast_to(classes, counts.shape).astype(np.float64)
    probs = ss_inclusion(classes, size * share, n)
    for _ in range(iterations):
        share = np.where(counts > 0, counts / probs, 0.0)
        share = share / share.sum(axis=-1, keepdims=True)
        probs = ss_inclusion(classes, size * share, n)
    return probs


def ss_weights(
    degree: NDArray[np.float64],
    population_size: float,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    ss_infinity: float = DEFAULT_SS_INFINITY,
) -> NDArray[np.float64]:
    """Gile's SS weight of each respondent, scaled to sum to ``population_size``."""
    classes, index, counts = np.unique(degree, return_inverse=True, return_counts=True)
    probs = ss_class_probabilities(
        classes.astype(np.float64),
        counts.astype(np.float64),
        population_size,
        iterations=iterations,
        ss_infinity=ss_infinity,
    )
    weights = 1.0 / probs[index]
    return population_size * weights / weights.sum()
