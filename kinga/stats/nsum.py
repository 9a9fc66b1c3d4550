"""Network scale-up (NSUM) estimates of a hidden population's size.

Respondents report how many people they know in several populations of known size
(aggregated relational data, "how many nurses do you know?") and in the hidden one.

* Known-population degree (Killworth et al. 1998; ``networkreporting::
  kp.degree.estimator``): ``d_i = N * sum_k y_ik / sum_k N_k``.
* Basic scale-up estimator (``networkreporting::nsum.estimator``):
  ``N_H = N * sum_i w_i y_iH / sum_i w_i d_i / (degree_ratio * tx_rate)``, where the
  *degree ratio* is the hidden population's mean degree over everyone's and the
  *true-positive (transmission/visibility) rate* the share of ties to hidden members
  that respondents are aware of (Feehan & Salganik 2016).

Uncertainty: without a bootstrap the SE is Killworth et al.'s binomial
``N sqrt(p (1 - p) / sum_i d_i)`` (``p`` the weighted share of reported ties that go
to the hidden population, scaled by the adjustments). It ignores the design and is
usually too small, so the method string says so. With a bootstrap the interval is the
percentile interval of the replicates and the SE their standard deviation:

* ``"rescaled"`` - Rao-Wu rescaled bootstrap (Rao, Wu & Yue 1992): within each
  stratum, draw ``n_h - 1`` of its ``n_h`` PSUs with replacement and multiply the
  weights of a PSU drawn ``r`` times by ``r n_h / (n_h - 1)``; without strata/PSUs
  each respondent is a PSU of one stratum. This is ``surveybootstrap::rescaled.
  bootstrap.sample``, the bootstrap ``networkreporting`` recommends.
* ``"simple"`` - respondents drawn with replacement, ``n`` of ``n``, keeping their
  weights (for a simple random sample).

References
----------
Killworth, P. D., McCarty, C., Bernard, H. R., Shelley, G. A., & Johnsen, E. C.
(1998). Estimation of seroprevalence, rape, and homelessness in the United States
using a social network approach. *Evaluation Review* 22(2), 289-308.

Feehan, D. M., & Salganik, M. J. (2016). Generalizing the network scale-up method.
*Sociological Methodology* 46(1), 153-186.

Rao, J. N. K., Wu, C. F. J., & Yue, K. (1992). Some recent work on resampling methods
for complex surveys. *Survey Methodology* 18(2), 209-217.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate

BootstrapKind = Literal["rescaled", "simple"]


def known_population_degree(
    known: NDArray[np.float64], known_sizes: Sequence[float], population_size: float
) -> NDArray[np.float64]:
    """Each respondent's degree ``N * sum_k y_ik / sum_k N_k``.

    Parameters
    ----------
    known : ``(n, K)`` counts of people known in each known population.
    known_sizes : the ``K`` population sizes ``N_k``.
    population_size : ``N``, the total population.
    """
    sizes = np.asarray(known_sizes, dtype=np.float64)
    counts = np.asarray(known, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[1] != sizes.size:
        raise StatsInputError("known counts need one column per known population size")
    if np.any(sizes <= 0) or not np.all(np.isfinite(sizes)):
        raise StatsInputError("known population sizes must be positive numbers")
    if population_size <= 0:
        raise StatsInputError("the total population size N must be positive")
    return np.asarray(population_size * counts.sum(axis=1) / sizes.sum(), dtype=np.float64)


def basic_scale_up(
    hidden: NDArray[np.float64],
    degree: NDArray[np.float64],
    population_size: float,
    *,
    weights: NDArray[np.float64] | None = None,
    degree_ratio: float = 1.0,
    tx_rate: float = 1.0,
) -> float:
    """``N * sum w y / sum w d / (degree_ratio * tx_rate)`` for given degrees.

    The point estimate of :func:`nsum_size`, for degrees from any method (known
    population, summation, ...). Linear in ``N`` for fixed degrees; with
    known-population degrees ``N`` cancels, since each ``d_i`` is itself ``N`` times a
    share.
    """
    w = np.ones(hidden.size) if weights is None else weights
    return float(
        population_size * (w * hidden).sum() / (w * degree).sum() / (degree_ratio * tx_rate)
    )


def _validate(
    known: NDArray[np.float64],
    hidden: NDArray[np.float64],
    weights: NDArray[np.float64],
    names: Sequence[str],
    hidden_name: str,
) -> None:
    n = hidden.size
    if known.shape[0] != n or weights.size != n:
        raise StatsInputError("known counts, hidden counts and weights need one row per respondent")
    if n < 2:
        raise StatsInputError("network scale-up needs at least 2 respondents")
    for column, values in [*zip(names, known.T, strict=True), (hidden_name, hidden)]:
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise StatsInputError(
                f"column {column!r}, row {row + 1}: counts must be numbers >= 0, "
                f"not {values[row]!r}"
            )
    bad_w = ~np.isfinite(weights) | (weights < 0)
    if bad_w.any():
        row = int(np.flatnonzero(bad_w)[0])
        raise StatsInputError(f"weights, row {row + 1}: must be a number >= 0")


def nsum_size(
    known: NDArray[np.float64] | Sequence[Sequence[float]],
    known_sizes: Sequence[float],
    hidden: NDArray[np.float64] | Sequence[float],
    population_size: float,
    *,
    weights: NDArray[np.float64] | Sequence[float] | None = None,
    degree_ratio: float = 1.0,
    tx_rate: float = 1.0,
    bootstrap: int = 0,
    bootstrap_kind: BootstrapKind = "rescaled",
    strata: Sequence[object] | None = None,
    clusters: Sequence[object] | None = None,
    rng: np.random.Generator | None = None,
    level: float = 0.95,
    known_names: Sequence[str] | None = None,
    hidden_name: str = "hidden",
) -> Estimate:
    """Basic scale-up estimate of the hidden population's size.

    Parameters
    ----------
    known : ``(n, K)`` numbers of people known in each known population.
    known_sizes : sizes ``N_k`` of the known populations.
    hidden : ``(n,)`` numbers of hidden-population members known.
    population_size : ``N``.
    weights : survey weights (default 1).
    degree_ratio : hidden members' mean degree / everyone's mean degree (default 1).
    tx_rate : true-positive rate, the share of ties to hidden members respondents know
        to be hidden members (default 1).
    bootstrap : replicates (0: Killworth SE, no bootstrap).
    bootstrap_kind : ``"rescaled"`` or ``"simple"`` (see module notes).
    strata, clusters : design columns for the rescaled bootstrap.
    rng : the generator every random draw comes from; required with ``bootstrap``.
    level : confidence level.
    known_names, hidden_name : column names, for error messages.

    Returns
    -------
    Estimate of ``N_H``; ``n`` is the number of respondents.
    """
    counts = np.asarray(known, dtype=np.float64)
    y = np.asarray(hidden, dtype=np.float64)
    w = np.ones(y.size) if weights is None else np.asarray(weights, dtype=np.float64)
    names = list(known_names) if known_names else [f"known{k + 1}" for k in range(counts.shape[1])]
    _validate(counts, y, w, names, hidden_name)
    if degree_ratio <= 0 or tx_rate <= 0 or tx_rate > 1:
        raise StatsInputError("degree ratio must be > 0 and the true-positive rate in (0, 1]")
    if not 0.0 < level < 1.0:
        raise StatsInputError(f"confidence level must be between 0 and 1, not {level}")
    degree = known_population_degree(counts, known_sizes, population_size)
    if float((w * degree).sum()) == 0.0:
        raise StatsInputError("no respondent reports knowing anyone in the known populations")
    adjustment = 1.0 / (degree_ratio * tx_rate)
    estimate = basic_scale_up(
        y, degree, population_size, weights=w, degree_ratio=degree_ratio, tx_rate=tx_rate
    )

    notes: list[str] = []
    if degree_ratio != 1.0 or tx_rate != 1.0:
        notes.append(f"degree ratio {degree_ratio:g}, true-positive rate {tx_rate:g}")
    if bootstrap:
        if rng is None:
            raise StatsInputError("a bootstrap needs a numpy.random.Generator (rng)")
        if bootstrap < 2:
            raise StatsInputError("the bootstrap needs at least 2 replicates")
        multipliers = bootstrap_multipliers(
            y.size, bootstrap, rng, kind=bootstrap_kind, strata=strata, clusters=clusters
        )
        replicate_w = multipliers * w
        replicates = population_size * (replicate_w @ y) / (replicate_w @ degree) * adjustment
        replicates = replicates[np.isfinite(replicates)]
        se = float(replicates.std(ddof=1))
        tail = (1.0 - level) / 2.0
        low, high = (float(v) for v in np.quantile(replicates, [tail, 1.0 - tail]))
        method = f"NSUM basic (Killworth); {bootstrap_kind} bootstrap B={bootstrap}, percentile"
    else:
        share = float((w * y).sum() / (w * degree).sum())
        se = (
            population_size
            * math.sqrt(max(share * (1.0 - share), 0.0) / float(degree.sum()))
            * adjustment
        )
        z = _z(level)
        low, high = estimate - z * se, estimate + z * se
        method = "NSUM basic (Killworth); Killworth binomial SE (ignores design)"
    return Estimate(
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        n=int(y.size),
        method=method,
        label=f"size({hidden_name})",
        level=level,
        notes=tuple(notes),
    )


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def bootstrap_multipliers(
    n: int,
    replicates: int,
    rng: np.random.Generator,
    *,
    kind: BootstrapKind = "rescaled",
    strata: Sequence[object] | None = None,
    clusters: Sequence[object] | None = None,
) -> NDArray[np.float64]:
    """``(replicates, n)`` weight multipliers for a bootstrap of ``n`` respondents."""
    if kind == "simple":
        draws = rng.integers(0, n, size=(replicates, n))
        rows = np.repeat(np.arange(replicates), n)
        out = np.zeros((replicates, n))
        np.add.at(out, (rows, draws.ravel()), 1.0)
        return out
    if kind != "rescaled":
        raise StatsInputError(f"bootstrap kind must be 'rescaled' or 'simple', not {kind!r}")
    stratum = _codes(strata, n, "strata")
    psu = _codes(
        None
        if clusters is None
        else [f"{s}\x00{c}" for s, c in zip(stratum, clusters, strict=True)],
        n,
        "clusters",
    )
    out = np.empty((replicates, n))
    for h in np.unique(stratum):
        in_h = stratum == h
        psus, psu_of_row = np.unique(psu[in_h], return_inverse=True)
        n_h = psus.size
        if n_h < 2:
            raise StatsInputError(
                "the rescaled bootstrap needs at least 2 PSUs in every stratum "
                f"(stratum {h} has {n_h})"
            )
        draws = rng.integers(0, n_h, size=(replicates, n_h - 1))
        times = np.zeros((replicates, n_h))
        np.add.at(times, (np.repeat(np.arange(replicates), n_h - 1), draws.ravel()), 1.0)
        out[:, in_h] = (times * n_h / (n_h - 1))[:, psu_of_row]
    return out


def _codes(values: Sequence[object] | None, n: int, name: str) -> NDArray[np.intp]:
    if values is None:
        return np.arange(n) if name == "clusters" else np.zeros(n, dtype=np.intp)
    if len(values) != n:
        raise StatsInputError(f"{name} need one value per respondent")
    _, codes = np.unique(np.asarray([str(v) for v in values]), return_inverse=True)
    return np.asarray(codes, dtype=np.intp)
