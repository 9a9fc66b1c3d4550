"""Calibrating survey weights to known population totals.

- :func:`poststratify`: weights scaled within each post-stratum so that they add up to
  the known count (R's ``postStratify``).
- :func:`rake`: iterative proportional fitting to several margins at once (Deming &
  Stephan 1940; R's ``rake``).
- :func:`calibrate_linear`: linear (GREG) calibration to totals of numeric auxiliaries
  (Deville & Särndal 1992; R's ``calibrate(calfun="linear")``).

Each returns a new :class:`~kinga.stats.design.SurveyDesign` with the calibrated
weights and a :class:`~kinga.stats.design.Calibration` record, so that variances use the
residuals of the scores on the calibration variables, as R's ``svyrecvar`` does. This
is what makes a post-stratified estimate of a post-stratum's own count have zero
variance.

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
frequency table when the expected marginal totals are known. *Annals of Mathematical
Statistics* 11, 427-444.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
*JASA* 87, 376-382.
Lumley, T. (2010). *Complex Surveys*, ch. 7. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kinga.stats.design import Calibration, FloatArray, IntArray, SurveyDesign
from kinga.stats.errors import StatsInputError


def poststratify(
    design: SurveyDesign, groups: ArrayLike, population: Mapping[Any, float], *, name: str = "group"
) -> SurveyDesign:
    """Post-stratify the weights to known population counts.

    Parameters
    ----------
    design : the design to calibrate.
    groups : post-stratum label of every row.
    population : label → population count. Every label in the sample needs a count and
        every count a sample row.
    name : the variable's name, for messages.

    Returns
    -------
    SurveyDesign
        Weights :math:`w_i N_g / \\hat N_g` for rows in post-stratum *g*.
    """
    codes, targets = _margin(groups, population, design.n_rows, name)
    current = np.bincount(codes, design.weights, minlength=len(targets))
    _check_reachable(current, targets, population, name)
    weights = design.weights * (targets / current)[codes]
    return _calibrated(design, weights, _indicators(codes, len(targets)))


def rake(
    design: SurveyDesign,
    margins: Mapping[str, tuple[ArrayLike, Mapping[Any, float]]],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> SurveyDesign:
    """Rake the weights so that each margin's weighted counts hit its population counts.

    Parameters
    ----------
    margins : variable name → (label of every row, label → population count).
    max_iterations : sweeps over all margins before giving up.
    tolerance : stop when every margin is within this relative error of its target.

    Raises
    ------
    StatsInputError
        When the margins are inconsistent (e.g. different grand totals) and raking does
        not converge, naming the worst margin.
    """
    if not margins:
        raise StatsInputError("rake needs at least one margin")
    coded = []
    for name, (labels, population) in margins.items():
        codes, targets = _margin(labels, population, design.n_rows, name)
        current = np.bincount(codes, design.weights, minlength=len(targets))
        _check_reachable(current, targets, population, name)
        coded.append((name, codes, targets))
    weights = design.weights.copy()
    worst_name, worst = "", np.inf
    for _ in range(max_iterations):
        for _name, codes, targets in coded:
            current = np.bincount(codes, weights, minlength=len(targets))
            weights *= (targets / current)[codes]
        worst, worst_name = 0.0, ""
        for name, codes, targets in coded:
            current = np.bincount(codes, weights, minlength=len(targets))
            error = float(np.max(np.abs(current / targets - 1.0)))
            if error > worst:
                worst, worst_name = error, name
        if worst <= tolerance:
            x = np.hstack([_indicators(codes, len(targets)) for _, codes, targets in coded])
            return _calibrated(design, weights, x)
    raise StatsInputError(
        f"raking did not converge in {max_iterations} sweeps: margin {worst_name!r} is still "
        f"{worst:.2g} off (are the margins' grand totals equal?)"
    )


def calibrate_linear(
    design: SurveyDesign, auxiliaries: Mapping[str, ArrayLike], totals: Mapping[str, float]
) -> SurveyDesign:
    """Linear (GREG) calibration: :math:`g_i = 1 + (T - \\hat T)^\\top (X^\\top W X)^{-1} x_i`.

    Weights may become negative when the totals are far from the sample's (the price of
    the linear distance); an intercept is not added - include a column of ones with the
    population size among the auxiliaries if you want one.
    """
    missing = sorted(set(auxiliaries) ^ set(totals))
    if missing:
        raise StatsInputError(f"auxiliaries and totals must name the same variables: {missing}")
    names = list(auxiliaries)
    x = np.column_stack([np.asarray(auxiliaries[k], dtype=np.float64) for k in names])
    if x.shape[0] != design.n_rows or np.isnan(x).any():
        raise StatsInputError("auxiliaries need one non-missing value per row")
    target = np.array([totals[k] for k in names], dtype=np.float64)
    w = design.weights
    xtwx = (x * w[:, None]).T @ x
    try:
        lam = np.linalg.solve(xtwx, target - w @ x)
    except np.linalg.LinAlgError:
        raise StatsInputError("calibration variables are collinear") from None
    weights = w * (1.0 + x @ lam)
    return _calibrated(design, weights, x)


# ---------------------------------------------------------------------- helpers
def _margin(
    labels: ArrayLike, population: Mapping[Any, float], n: int, name: str
) -> tuple[IntArray, FloatArray]:
    """Row codes into the population's levels, and the target per level."""
    values = np.asarray(labels)
    if values.shape != (n,):
        raise StatsInputError(f"{name}: expected one label per row")
    keys = list(population)
    lookup = {_key(k): i for i, k in enumerate(keys)}
    level_values, inverse = np.unique(values, return_inverse=True)
    position = np.array([lookup.get(_key(v), -1) for v in level_values.tolist()], dtype=np.intp)
    unknown = position < 0
    if unknown.any():
        shown = level_values[int(np.flatnonzero(unknown)[0])]
        raise StatsInputError(f"{name}: no population count for level {str(shown)!r}")
    targets = np.array([float(population[k]) for k in keys], dtype=np.float64)
    if not (targets > 0).all():
        raise StatsInputError(f"{name}: population counts must be positive")
    return position[inverse.reshape(n)], targets


def _key(value: Any) -> Any:
    """Make 1, 1.0, np.int64(1) and "1" distinct from each other but 1 == 1.0."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_reachable(
    current: FloatArray, targets: FloatArray, population: Mapping[Any, float], name: str
) -> None:
    empty = current <= 0
    if empty.any():
        level = list(population)[int(np.flatnonzero(empty)[0])]
        raise StatsInputError(
            f"{name}: level {str(level)!r} has a population count but no sample weight"
        )


def _indicators(codes: IntArray, k: int) -> FloatArray:
    x = np.zeros((codes.shape[0], k), dtype=np.float64)
    x[np.arange(codes.shape[0]), codes] = 1.0
    return x


def _calibrated(design: SurveyDesign, weights: FloatArray, x: NDArray[np.float64]) -> SurveyDesign:
    root_w0 = np.sqrt(design.weights)
    basis = _orthonormal_basis(x * root_w0[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(design.weights > 0, weights / design.weights, 0.0)
    calibration = Calibration(basis=basis, g_root_w0=np.asarray(g * root_w0, dtype=np.float64))
    return design.with_weights(weights, (*design.calibrations, calibration))


def _orthonormal_basis(matrix: FloatArray) -> FloatArray:
    """Column-space basis via SVD, dropping directions a rank-deficient x repeats
    (raking margins share the grand total)."""
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)
    keep = s > s.max() * max(matrix.shape) * np.finfo(np.float64).eps
    return np.asarray(u[:, keep], dtype=np.float64)
