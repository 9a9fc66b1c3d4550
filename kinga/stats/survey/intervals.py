"""Confidence intervals shared by the design-based estimators.

Intervals use Student's *t* with the design degrees of freedom (PSUs - strata), as
``svyciprop`` in R's ``survey`` and Stata's ``svy`` do; ``df = inf`` gives the normal
interval.

References
----------
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology*
24, 193-201.
Kott, P. S. & Carr, D. A. (1997). Developing an estimation strategy for a pesticide
data program. *Journal of Official Statistics* 13, 367-383 (Wilson interval with an
effective sample size).
Lumley, T. R package ``survey``, ``svyciprop`` (``method = "logit"`` and ``"beta"``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal, get_args

from scipy import special, stats  # type: ignore[import-untyped, unused-ignore]

ProportionCI = Literal["logit", "beta", "wilson", "wald"]
PROPORTION_CI_METHODS: tuple[str, ...] = get_args(ProportionCI)


@lru_cache(maxsize=256)
def t_quantile(level: float, df: float) -> float:
    """Two-sided critical value: ``t_{df}`` quantile, normal when ``df`` is infinite."""
    upper = 1.0 - (1.0 - level) / 2.0
    if math.isinf(df):
        return float(stats.norm.ppf(upper))
    if not df > 0:
        return math.nan
    return float(stats.t.ppf(upper, df))


def wald_interval(estimate: float, se: float, level: float, df: float) -> tuple[float, float]:
    """``estimate ± t·se``."""
    half = t_quantile(level, df) * se
    return estimate - half, estimate + half


def proportion_interval(
    p: float, se: float, *, level: float, df: float, n: int, method: ProportionCI
) -> tuple[float, float]:
    """Interval for a design-based proportion ``p`` with standard error ``se``.

    Parameters
    ----------
    p, se : the estimate and its linearised standard error.
    level : confidence level.
    df : design degrees of freedom.
    n : number of rows behind the estimate (for the Korn-Graubard df correction).
    method : ``"logit"`` (R's ``svyciprop`` default: a t interval for logit(p) with the
        delta-method SE), ``"beta"`` (Korn-Graubard: Clopper-Pearson on the effective
        sample size ``p(1-p)/se²`` scaled by ``(t_{n-1}/t_{df})²``, as R's ``"beta"``),
        ``"wilson"`` (Wilson score interval on the same effective sample size) or
        ``"wald"`` (``p ± t·se``).

    Notes
    -----
    At ``p = 0`` or ``1`` the logit interval does not exist; the Korn-Graubard interval
    is returned instead, which is what a statistician would report there.
    """
    if method == "wald":
        return wald_interval(p, se, level, df)
    degenerate = p <= 0.0 or p >= 1.0 or not se > 0
    if method == "logit" and not degenerate:
        half = t_quantile(level, df) * se / (p * (1.0 - p))
        centre = special.logit(p)
        return float(special.expit(centre - half)), float(special.expit(centre + half))
    n_eff = _effective_n(p, se, level=level, df=df, n=n)
    if method == "wilson" and not degenerate:
        z = t_quantile(level, df)
        z2n = z * z / n_eff
        centre = (p + z2n / 2.0) / (1.0 + z2n)
        half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n_eff + z2n / (4.0 * n_eff))
        return centre - half, centre + half
    alpha = 1.0 - level
    low = 0.0 if p <= 0 else float(stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))
    high = 1.0 if p >= 1 else float(stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    return low, high


def _effective_n(p: float, se: float, *, level: float, df: float, n: int) -> float:
    """Kish effective sample size ``p(1-p)/se²`` with Korn-Graubard's df correction."""
    if not se > 0 or p <= 0 or p >= 1:
        return float(n)  # no design information: fall back on the rows used
    n_eff = p * (1.0 - p) / (se * se)
    if n > 1 and df > 0:
        ratio = t_quantile(level, n - 1) / t_quantile(level, df)
        n_eff *= ratio * ratio
    return n_eff
