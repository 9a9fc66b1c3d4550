"""Baseline/endline change: difference-in-differences and endline associations.

Both rounds are analysed as one *stacked* design: the rows of the baseline and endline
surveys sit in one table with their strata, PSUs and weights. A PSU label that appears
in both rounds is treated as the same cluster (so a panel of communities gets the
covariance between rounds); give the rounds distinct PSU labels when the clusters were
drawn afresh.

The difference-in-differences is the interaction coefficient of the survey-weighted
linear model :math:`y = \\beta_0 + \\beta_1 T + \\beta_2 P + \\beta_3 T P`, with a
design-based sandwich variance as R's ``svyglm(family=gaussian())``:
:math:`\\hat V(\\hat\\beta) = A^{-1}\\, \\hat V_{design}(\\sum_i U_i)\\, A^{-1}` with
:math:`A = X^\\top W X` and :math:`U_i = w_i x_i (y_i - x_i^\\top \\hat\\beta)`
(Binder 1983). The model is saturated, so :math:`\\hat\\beta_3` equals the difference of
differences of the four weighted cell means, which are reported too.

Intervals use t on ``degf(design) + 1 - p`` degrees of freedom, the residual degrees of
freedom R's ``summary.svyglm`` uses.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
surveys. *International Statistical Review* 51, 279-292.
Lumley, T. (2010). *Complex Surveys*, ch. 5 (``svyglm``). Wiley.
Lumley, T. & Scott, A. (2017). Fitting regression models to survey data. *Statistical
Science* 32, 265-278.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kinga.stats.design import BoolArray, FloatArray, SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.result import Estimate
from kinga.stats.survey.estimators import survey_mean
from kinga.stats.survey.intervals import wald_interval

LINEAR_MODEL = "survey-weighted linear model, linearised (sandwich) variance"


@dataclass(frozen=True)
class LinearModelFit:
    """Coefficients of a survey-weighted linear model and their design covariance."""

    names: tuple[str, ...]
    coef: FloatArray
    cov: FloatArray
    df: float
    n: int

    def estimate(
        self,
        name: str,
        *,
        level: float = 0.95,
        label: str | None = None,
        method: str = LINEAR_MODEL,
        notes: tuple[str, ...] = (),
    ) -> Estimate:
        """One coefficient as an :class:`Estimate`."""
        i = self.names.index(name)
        value, se = float(self.coef[i]), math.sqrt(max(float(self.cov[i, i]), 0.0))
        low, high = wald_interval(value, se, level, self.df)
        return Estimate(
            estimate=value,
            se=se,
            ci_low=low,
            ci_high=high,
            df=self.df,
            n=self.n,
            method=method,
            label=label or name,
            level=level,
            notes=notes,
        )


def survey_linear_model(
    design: SurveyDesign,
    y: ArrayLike,
    columns: Mapping[str, ArrayLike],
    *,
    domain: BoolArray | None = None,
) -> LinearModelFit:
    """Weighted least squares of ``y`` on an intercept and ``columns``, design variance.

    Parameters
    ----------
    design : the survey design (all rows; a domain zeroes the others' scores).
    y : outcome, one value per row.
    columns : predictor name → numeric values; an intercept is added first.
    domain : rows to fit on. Rows with a missing outcome or predictor are left out too.

    Returns
    -------
    LinearModelFit
        As R's ``svyglm(y ~ ..., design, family=gaussian())`` on ``subset(design,
        domain)``.
    """
    outcome = np.asarray(y, dtype=np.float64)
    names = ("(Intercept)", *columns)
    x = np.column_stack([np.ones(design.n_rows), *[np.asarray(c, float) for c in columns.values()]])
    complete = ~np.isnan(outcome) & ~np.isnan(x).any(axis=1)
    rows = complete if domain is None else complete & domain
    if not rows.any():
        raise StatsInputError("the model has no complete rows in the domain")
    w = np.where(rows, design.weights, 0.0)
    x = np.where(rows[:, None], x, 0.0)
    outcome = np.where(rows, outcome, 0.0)
    xtwx = (x * w[:, None]).T @ x
    if np.linalg.matrix_rank(xtwx) < len(names):
        raise StatsInputError(
            "the model's predictors are collinear in the data (e.g. a cell with no rows): "
            + ", ".join(names[1:])
        )
    a_inv = np.linalg.inv(xtwx)
    coef = a_inv @ (x.T @ (w * outcome))
    residual = outcome - x @ coef
    influence = (x * (w * residual)[:, None]) @ a_inv
    cov = design.covariance(influence, rows)
    df = float(design.degrees_of_freedom(rows) + 1 - len(names))
    return LinearModelFit(names, coef, cov, df, int(rows.sum()))


def difference_in_differences(
    design: SurveyDesign,
    outcome: ArrayLike,
    treated: ArrayLike,
    post: ArrayLike,
    *,
    level: float = 0.95,
    outcome_name: str = "y",
    treated_name: str = "treated",
    post_name: str = "post",
) -> list[Estimate]:
    """Difference-in-differences with design-based SEs, and the four cell means.

    Parameters
    ----------
    design : the stacked baseline + endline design.
    outcome : the indicator or score, one per row (missing values are left out).
    treated, post : 0/1 per row: intervention area, endline round.

    Returns
    -------
    list of Estimate
        The four weighted cell means (``by`` = treated, post), then the coefficients
        ``treated``, ``post`` and the difference-in-differences ``treated:post``.
    """
    t = _binary(treated, treated_name)
    p = _binary(post, post_name)
    y = np.asarray(outcome, dtype=np.float64)
    results: list[Estimate] = []
    for t_value in (0, 1):
        for p_value in (0, 1):
            cell = (t == t_value) & (p == p_value)
            if not (cell & ~np.isnan(y)).any():
                raise StatsInputError(
                    f"no rows with {outcome_name} where {treated_name}={t_value} and "
                    f"{post_name}={p_value}: all four cells are needed"
                )
            results.append(
                survey_mean(
                    design,
                    y,
                    domain=cell,
                    na_rm=True,
                    level=level,
                    label=f"mean({outcome_name})",
                    by={treated_name: t_value, post_name: p_value},
                )
            )
    fit = survey_linear_model(
        design, y, {treated_name: t, post_name: p, f"{treated_name}:{post_name}": t * p}
    )
    dropped = int(np.isnan(y).sum())
    notes = (f"{dropped} row(s) with missing {outcome_name} left out",) if dropped else ()
    for name in (treated_name, post_name):
        results.append(fit.estimate(name, level=level, label=f"coef({name})", notes=notes))
    results.append(
        fit.estimate(
            f"{treated_name}:{post_name}",
            level=level,
            label=f"did({outcome_name}: {treated_name} x {post_name})",
            method=f"difference-in-differences, {LINEAR_MODEL}",
            notes=notes,
        )
    )
    return results


def exposure_association(
    design: SurveyDesign,
    outcome: ArrayLike,
    exposure: ArrayLike,
    covariates: Mapping[str, ArrayLike] | None = None,
    *,
    domain: BoolArray | None = None,
    level: float = 0.95,
    outcome_name: str = "y",
    exposure_name: str = "exposure",
) -> Estimate:
    """Adjusted difference in ``outcome`` between exposed and unexposed respondents.

    Typically run on the endline round only (``domain = post == 1``): e.g. "people who
    attended a community dialogue know where to report more often". Exposure is chosen
    by the respondents, not assigned, so the result is an **association**, adjusted for
    the covariates given, never an effect; the label and method say so.

    Text covariates are dummy-coded (first level as reference).
    """
    e = _binary(exposure, exposure_name)
    columns: dict[str, ArrayLike] = {exposure_name: e}
    for name, values in (covariates or {}).items():
        columns.update(_covariate_columns(name, values))
    fit = survey_linear_model(design, outcome, columns, domain=domain)
    adjusted = ", ".join(covariates or {}) or "nothing"
    return fit.estimate(
        exposure_name,
        level=level,
        label=f"association({outcome_name} ~ {exposure_name}; adjusted for {adjusted})",
        method=f"association (not a causal effect), {LINEAR_MODEL}",
    )


def _binary(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isin(array, (0.0, 1.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        shown = "missing" if np.isnan(array[row]) else f"{array[row]:g}"
        raise StatsInputError(f"{name} must be 0 or 1; row {row + 1} has {shown}")
    return array


def _covariate_columns(name: str, values: ArrayLike) -> dict[str, FloatArray]:
    array = np.asarray(values)
    if array.dtype.kind in "fiub":
        return {name: array.astype(np.float64)}
    text = array.astype(np.str_)
    missing = text == ""
    levels: Sequence[Any] = np.unique(text[~missing]).tolist()
    return {
        f"{name}={level}": np.where(missing, np.nan, (text == level).astype(np.float64))
        for level in levels[1:]
    }
