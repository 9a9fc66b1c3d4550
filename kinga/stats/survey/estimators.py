"""Design-based means, totals, proportions and ratios with linearised variance.

Each estimator turns its statistic into per-row *scores* (its influence function times
the weight) and asks the :class:`~kinga.stats.design.SurveyDesign` for the variance of
their total (Binder 1983; Lumley 2010, sec. 2.2 and app. C.2). Domains never subset the
design: rows outside the domain get zero scores, so PSUs without domain members still
count (Lumley 2010, sec. 2.3; R's ``subset.survey.design``).

Design effects follow R's ``svymean(..., deff=TRUE)``:
:math:`V_{SRS} = (1 - n/\\hat N)\\, s^2_w / n` for a mean and :math:`\\hat N^2` times that
for a total, where :math:`s^2_w` is the weighted variance with divisor ``n - 1`` and the
``n`` and :math:`\\hat N` are those of the domain.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
surveys. *International Statistical Review* 51, 279-292.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Lumley, T. R package ``survey``: ``svymean``, ``svytotal``, ``svyratio``, ``svyciprop``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kinga.stats.design import BoolArray, FloatArray, SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate
from kinga.stats.survey.intervals import (
    PROPORTION_CI_METHODS,
    ProportionCI,
    proportion_interval,
    wald_interval,
)

TAYLOR = "Taylor linearisation"


def survey_mean(
    design: SurveyDesign,
    y: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    deff: bool = False,
    level: float = 0.95,
    label: str = "mean",
    by: Mapping[str, Any] | None = None,
) -> Estimate:
    """Weighted (Hájek) mean of ``y``, in a domain if given.

    Parameters
    ----------
    design : the survey design.
    y : one numeric value per row (``nan`` = missing).
    domain : rows belonging to the domain (subpopulation); ``None`` for everyone.
    na_rm : drop missing ``y`` (treated as outside the domain, as R's ``na.rm=TRUE``);
        otherwise a missing value in use is an error naming its row.
    deff : also compute the design effect.
    level : confidence level of the t interval on the design degrees of freedom.
    label, by : carried to the result.

    Returns
    -------
    Estimate
        ``estimate`` :math:`\\sum w y / \\sum w` over the domain, with the variance of the
        scores :math:`w_i (y_i - \\bar y)/\\sum w` (Woodruff linearisation).
    """
    values, rows = _prepare(design, y, domain, na_rm, label)
    w = design.weights if rows is None else np.where(rows, design.weights, 0.0)
    # Shift by one observed value so that totals of w*(y - shift) do not lose digits to
    # a large common level (the score is then formed from PSU totals, not per row).
    shift = float(values[0 if rows is None else int(np.argmax(rows))])
    unit_wy = design.unit_totals(w * (values - shift))
    unit_w = design.unit_weight_totals if rows is None else design.unit_totals(w)
    weight_sum = _weight_sum(unit_w, label)
    centred_mean = float(unit_wy.sum()) / weight_sum
    mean = shift + centred_mean
    if design.calibrations:
        variance = design.variance(w * (values - mean) / weight_sum, rows)
    else:
        unit_scores = (unit_wy - centred_mean * unit_w) / weight_sum
        variance = float(design.covariance_of_unit_totals(unit_scores, rows)[0, 0])
    effect = _deff_mean(design, values, rows, mean, weight_sum, variance) if deff else None
    return _estimate(design, mean, variance, rows, level, label, by, effect, f"mean, {TAYLOR}")


def survey_total(
    design: SurveyDesign,
    y: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    deff: bool = False,
    level: float = 0.95,
    label: str = "total",
    by: Mapping[str, Any] | None = None,
) -> Estimate:
    """Horvitz-Thompson total :math:`\\sum w y` of ``y`` over the domain.

    Parameters are those of :func:`survey_mean`. The scores are :math:`w_i y_i`.
    """
    values, rows = _prepare(design, y, domain, na_rm, label)
    w = design.weights if rows is None else np.where(rows, design.weights, 0.0)
    scores = w * values
    if design.calibrations:
        total = float(scores.sum())
        variance = design.variance(scores, rows)
    else:
        unit_scores = design.unit_totals(scores)
        total = float(unit_scores.sum())
        variance = float(design.covariance_of_unit_totals(unit_scores, rows)[0, 0])
    effect = None
    if deff:
        weight_sum = float(w.sum())
        mean = total / weight_sum if weight_sum > 0 else math.nan
        per_mean = _deff_mean(design, values, rows, mean, weight_sum, variance / weight_sum**2)
        effect = per_mean
    return _estimate(design, total, variance, rows, level, label, by, effect, f"total, {TAYLOR}")


def survey_ratio(
    design: SurveyDesign,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    level: float = 0.95,
    label: str = "ratio",
    by: Mapping[str, Any] | None = None,
) -> Estimate:
    """Ratio of totals :math:`\\hat R = \\sum w y / \\sum w x` (R's ``svyratio``).

    The scores are :math:`w_i (y_i - \\hat R x_i) / \\hat X` (Lumley 2010, sec. 2.2.2).
    Rows where either variable is missing are dropped together when ``na_rm``.
    """
    y = np.asarray(numerator, dtype=np.float64)
    x = np.asarray(denominator, dtype=np.float64)
    if y.shape != x.shape:
        raise StatsInputError(f"{label}: numerator and denominator have different lengths")
    both = np.where(np.isnan(x), np.nan, y)
    y_values, rows = _prepare(design, both, domain, na_rm, label)
    x_values = np.where(np.isnan(x), 0.0, x) if rows is None else np.where(rows, x, 0.0)
    w = design.weights if rows is None else np.where(rows, design.weights, 0.0)
    x_total = float(np.einsum("i,i->", w, x_values))
    if x_total == 0:
        raise StatsInputError(f"{label}: the denominator's total is zero")
    ratio = float(np.einsum("i,i->", w, y_values)) / x_total
    scores = w * (y_values - ratio * x_values) / x_total
    variance = design.variance(scores, rows)
    return _estimate(design, ratio, variance, rows, level, label, by, None, f"ratio, {TAYLOR}")


def survey_proportions(
    design: SurveyDesign,
    values: ArrayLike,
    *,
    missing: BoolArray | None = None,
    domain: BoolArray | None = None,
    na_rm: bool = False,
    method: ProportionCI = "logit",
    deff: bool = False,
    level: float = 0.95,
    name: str = "x",
    statistic: str = "prop",
    by: Mapping[str, Any] | None = None,
) -> list[Estimate]:
    """Proportion of the domain in each level of a categorical variable.

    Parameters
    ----------
    values : labels (text or numbers), one per row.
    missing : mask of missing labels (default: ``nan`` or empty text).
    method : confidence interval, see
        :func:`kinga.stats.survey.intervals.proportion_interval`; ``"logit"`` is R's
        ``svyciprop`` default.
    name, statistic : used for labels such as ``prop(sch.wide=Yes)``.

    Returns
    -------
    list of Estimate
        One per level, in sorted level order (R's factor order), each the mean of the
        level's indicator over the domain, as R's ``svymean(~factor)``.
    """
    if method not in PROPORTION_CI_METHODS:
        raise StatsInputError(f"unknown interval method {method!r}")
    labels = np.asarray(values)
    absent = _missing_labels(labels) if missing is None else np.asarray(missing, dtype=np.bool_)
    present_in_use = ~absent if domain is None else (~absent & domain)
    absent_in_use = absent if domain is None else absent & domain
    if not na_rm and absent_in_use.any():
        row = int(np.flatnonzero(absent_in_use)[0]) + 1
        raise StatsInputError(f"{name} is missing in row {row}; drop those rows or use na_rm")
    levels = np.unique(labels[present_in_use])
    if levels.size == 0:
        raise StatsInputError(f"{name}: no rows with a value in the domain")
    results: list[Estimate] = []
    for level_value in levels:
        indicator = np.where(absent, np.nan, (labels == level_value).astype(np.float64))
        shown = _display(level_value)
        estimate = survey_mean(
            design,
            indicator,
            domain=domain,
            na_rm=True,
            deff=deff,
            level=level,
            label=f"{statistic}({name}={shown})",
            by=by,
        )
        rows = ~np.isnan(indicator) if domain is None else ~np.isnan(indicator) & domain
        low, high = proportion_interval(
            estimate.estimate,
            estimate.se,
            level=level,
            df=estimate.df,
            n=int(rows.sum()),
            method=method,
        )
        results.append(
            Estimate(
                estimate=estimate.estimate,
                se=estimate.se,
                ci_low=low,
                ci_high=high,
                df=estimate.df,
                deff=estimate.deff,
                n=estimate.n,
                method=f"proportion, {TAYLOR}, {method} interval",
                label=estimate.label,
                level=level,
                by=dict(by or {}),
                notes=estimate.notes,
            )
        )
    return results


# ---------------------------------------------------------------------- helpers
def _prepare(
    design: SurveyDesign,
    y: ArrayLike,
    domain: BoolArray | None,
    na_rm: bool,
    label: str,
) -> tuple[FloatArray, BoolArray | None]:
    """Values with missing set to 0, and the mask of rows in use (``None`` = all)."""
    values = np.asarray(y, dtype=np.float64)
    if values.shape != (design.n_rows,):
        raise StatsInputError(f"{label}: expected {design.n_rows} values, got {values.shape}")
    if domain is not None:
        domain = np.asarray(domain, dtype=np.bool_)
        if domain.shape != values.shape:
            raise StatsInputError(f"{label}: the domain mask has the wrong length")
        if not domain.any():
            raise StatsInputError(f"{label}: the domain is empty (no row matches it)")
    absent = np.isnan(values)
    if not absent.any():
        return values, domain
    in_use = absent if domain is None else absent & domain
    if in_use.any() and not na_rm:
        row = int(np.flatnonzero(in_use)[0]) + 1
        raise StatsInputError(f"{label}: missing value in row {row}; use na_rm to drop such rows")
    rows = ~absent if domain is None else domain & ~absent
    if not rows.any():
        raise StatsInputError(f"{label}: no non-missing values in the domain")
    return np.where(absent, 0.0, values), rows


def _weight_sum(w: FloatArray, label: str) -> float:
    total = float(w.sum())
    if not total > 0:
        raise StatsInputError(f"{label}: the rows in use have zero total weight")
    return total


def _deff_mean(
    design: SurveyDesign,
    values: FloatArray,
    rows: BoolArray | None,
    mean: float,
    weight_sum: float,
    variance: float,
) -> float | None:
    """R's ``deff=TRUE``: V / ((1 - n/N̂) s²_w / n) on the domain's rows with weight."""
    w = design.weights if rows is None else np.where(rows, design.weights, 0.0)
    n_obs = int(np.count_nonzero(w))
    if n_obs < 2 or weight_sum < n_obs:
        return None  # R returns NA when the weights sum to less than the sample size
    s2 = float(np.einsum("i,i->", w, (values - mean) ** 2)) / weight_sum * n_obs / (n_obs - 1)
    v_srs = s2 * (weight_sum - n_obs) / (weight_sum * n_obs)
    return variance / v_srs if v_srs > 0 else None


def _estimate(
    design: SurveyDesign,
    value: float,
    variance: float,
    rows: BoolArray | None,
    level: float,
    label: str,
    by: Mapping[str, Any] | None,
    deff: float | None,
    method: str,
) -> Estimate:
    se = math.sqrt(variance) if variance >= 0 else math.nan
    df = float(design.degrees_of_freedom(rows))
    low, high = wald_interval(value, se, level, df)
    n = design.n_rows if rows is None else int(rows.sum())
    notes: tuple[str, ...] = ()
    if design.lonely_psu != "fail" and design.stage1.lonely.any():
        notes = (f"lonely PSUs handled by rule {design.lonely_psu!r}",)
    return Estimate(
        estimate=value,
        se=se,
        ci_low=low,
        ci_high=high,
        df=df,
        deff=deff,
        n=n,
        method=method,
        label=label,
        level=level,
        by=dict(by or {}),
        notes=notes,
    )


def _missing_labels(labels: NDArray[Any]) -> BoolArray:
    if labels.dtype.kind == "f":
        return np.isnan(labels)
    if labels.dtype.kind in "US":
        return np.asarray(labels == "", dtype=np.bool_)
    if labels.dtype.kind == "O":
        return np.array([v is None or v == "" for v in labels], dtype=np.bool_)
    return np.zeros(labels.shape, dtype=np.bool_)


def _display(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
