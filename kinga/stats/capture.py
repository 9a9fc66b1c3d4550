"""Two-sample capture-recapture: Lincoln-Petersen and Chapman.

``M`` people are "marked" (listed) by a first source, ``n`` are "caught" by a second,
and ``m`` of those ``n`` were already marked. For a closed population where both
sources are independent and everyone is equally catchable, ``N ~ M n / m``.

Intervals follow the R package ``FSA`` (``mrClosed`` + ``confint(type="normal")``):

* **Petersen** - the interval is built for the recapture proportion ``p = m / n``
  and inverted (Krebs 1989, eq. 2.4): ``p +/- (z SE_p + 1/(2n))`` with
  ``SE_p = sqrt((1 - m/M) p (1 - p) / (n - 1))``, then ``N = M / p`` at each end.
  FSA adds the continuity correction ``1/(2n)`` with the same sign at both ends, so
  its *upper* bound is slightly narrower than Krebs's (FSA's own tests say so); the
  lower bounds agree (948, 421, 167 -> 2153). Here the correction widens both ends,
  as Krebs writes it. The reported SE is ``sqrt(M^2 n (n - m) / m^3)`` (Seber 1982).
* **Chapman** - ``N = (M+1)(n+1)/(m+1) - 1`` with Seber's variance
  ``(M+1)(n+1)(M-m)(n-m) / ((m+1)^2 (m+2))`` and the normal interval
  ``N +/- z SE``, exactly FSA's (421, 332, 88 -> 1578, 1330-1826).

References
----------
Chapman, D. G. (1951). Some properties of the hypergeometric distribution with
applications to zoological sample censuses. *Univ. Calif. Publ. Statist.* 1, 131-160.

Krebs, C. J. (1989). *Ecological Methodology*. Harper & Row, section 2.1.

Seber, G. A. F. (1982). *The Estimation of Animal Abundance*, 2nd ed. Griffin, p. 60.

Ogle, D. H. et al. ``FSA``: Fisheries Stock Analysis, R package, ``mrClosed``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate


def _check_counts(marked: int, caught: int, recaptured: int) -> None:
    for name, value in (("marked", marked), ("caught", caught), ("recaptured", recaptured)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StatsInputError(f"{name} must be a whole number >= 0, not {value!r}")
    if recaptured > caught:
        raise StatsInputError(
            f"recaptured ({recaptured}) cannot exceed caught ({caught}): "
            "the recaptured are part of the second sample"
        )
    if recaptured > marked:
        raise StatsInputError(
            f"recaptured ({recaptured}) cannot exceed marked ({marked}): "
            "only marked people can be recaptured"
        )


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise StatsInputError(f"confidence level must be between 0 and 1, not {level}")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def lincoln_petersen(marked: int, caught: int, recaptured: int, *, level: float = 0.95) -> Estimate:
    """Lincoln-Petersen estimate ``M n / m`` with Krebs's normal interval.

    Raises
    ------
    StatsInputError
        For negative or non-integer counts, ``m > n``, ``m > M``, or ``m = 0`` (the
        estimate is infinite; use :func:`chapman`).
    """
    _check_counts(marked, caught, recaptured)
    if recaptured == 0:
        raise StatsInputError(
            "recaptured is 0: the Petersen estimate is infinite; use the Chapman method"
        )
    z = _z(level)
    big_m, n, m = float(marked), float(caught), float(recaptured)
    estimate = big_m * n / m
    se = math.sqrt(big_m**2 * n * (n - m) / m**3)
    notes: list[str] = []
    if caught > 1:
        p = m / n
        se_p = math.sqrt((1.0 - m / big_m) * p * (1.0 - p) / (n - 1.0))
        half_width = z * se_p + 1.0 / (2.0 * n)
        p_high, p_low = p + half_width, p - half_width
        ci_low = big_m / p_high
        ci_high = big_m / p_low if p_low > 0 else math.inf
        if p_low <= 0:
            notes.append("upper bound unbounded: too few recaptures")
    else:
        ci_low = ci_high = math.nan
        notes.append("no interval with a second sample of 1")
    return Estimate(
        estimate=estimate,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        n=caught,
        method="Lincoln-Petersen; normal interval on m/n (Krebs 1989 eq. 2.4)",
        label="population size (Petersen)",
        level=level,
        notes=tuple(notes),
    )


def chapman(marked: int, caught: int, recaptured: int, *, level: float = 0.95) -> Estimate:
    """Chapman's bias-corrected estimate with Seber's SE and a normal interval.

    Defined for ``m = 0`` too (it is then ``(M+1)(n+1) - 1``).

    Raises
    ------
    StatsInputError
        For negative or non-integer counts, ``m > n`` or ``m > M``.
    """
    _check_counts(marked, caught, recaptured)
    z = _z(level)
    m1, n1, r1 = marked + 1.0, caught + 1.0, recaptured + 1.0
    estimate = m1 * n1 / r1 - 1.0
    variance = m1 * n1 * (marked - recaptured) * (caught - recaptured) / (r1**2 * (r1 + 1.0))
    se = math.sqrt(variance)
    return Estimate(
        estimate=estimate,
        se=se,
        ci_low=estimate - z * se,
        ci_high=estimate + z * se,
        n=caught,
        method="Chapman; Seber SE, normal interval",
        label="population size (Chapman)",
        level=level,
    )


METHODS = {"petersen": lincoln_petersen, "chapman": chapman}


def capture_recapture(
    marked: int, caught: int, recaptured: int, *, method: str = "chapman", level: float = 0.95
) -> Estimate:
    """Dispatch on ``method`` (``"petersen"`` or ``"chapman"``)."""
    try:
        estimator = METHODS[method.lower()]
    except KeyError:
        raise StatsInputError(f"method must be 'petersen' or 'chapman', not {method!r}") from None
    return estimator(marked, caught, recaptured, level=level)
