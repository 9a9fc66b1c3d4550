"""Difference-in-differences and the endline exposure association."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinga.stats.design import SurveyDesign
from kinga.stats.did import difference_in_differences, exposure_association, survey_linear_model
from kinga.stats.errors import StatsInputError
from kinga.stats.survey import survey_mean


def stacked(seed: int = 4, n: int = 800) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    county = rng.integers(0, 4, n)
    village = county * 20 + rng.integers(0, 20, n)
    treated = (village % 2).astype(float)  # half the villages got the programme
    post = rng.integers(0, 2, n).astype(float)
    effect = rng.normal(0, 0.05, 80)[village]
    p = 0.3 + 0.05 * treated + 0.1 * post + 0.15 * treated * post + effect
    y = (rng.uniform(size=n) < p).astype(float)
    return {
        "y": y,
        "w": rng.uniform(1, 3, n),
        "county": county,
        "village": village,
        "t": treated,
        "post": post,
        "age": rng.integers(15, 60, n).astype(float),
        "exposed": (rng.uniform(size=n) < 0.4).astype(float),
    }


def design_of(d: dict[str, np.ndarray]) -> SurveyDesign:
    return SurveyDesign(d["w"], strata=d["county"], psu=d["village"])


def test_did_equals_difference_of_cell_means_with_the_same_se() -> None:
    d = stacked()
    design = design_of(d)
    results = difference_in_differences(design, d["y"], d["t"], d["post"], outcome_name="y")
    cells = {(e.by["treated"], e.by["post"]): e for e in results[:4]}
    did = results[-1]
    by_hand = (cells[1, 1].estimate - cells[1, 0].estimate) - (
        cells[0, 1].estimate - cells[0, 0].estimate
    )
    assert did.estimate == pytest.approx(by_hand, rel=1e-10)
    # the saturated model's sandwich SE is the linearised SE of the contrast of means
    scores = np.zeros(design.n_rows)
    for (t, p), sign in {(1, 1): 1, (1, 0): -1, (0, 1): -1, (0, 0): 1}.items():
        cell = (d["t"] == t) & (d["post"] == p)
        w = np.where(cell, design.weights, 0.0)
        scores += sign * w * (d["y"] - cells[t, p].estimate) / w.sum()
    assert did.se == pytest.approx(math.sqrt(design.variance(scores)), rel=1e-10)
    assert did.df == design.degrees_of_freedom() + 1 - 4
    assert did.label == "did(y: treated x post)"


def test_linear_model_matches_weighted_least_squares() -> None:
    d = stacked(9)
    design = design_of(d)
    fit = survey_linear_model(design, d["y"], {"age": d["age"]})
    x = np.column_stack([np.ones_like(d["age"]), d["age"]])
    sw = np.sqrt(d["w"])
    beta = np.linalg.lstsq(x * sw[:, None], d["y"] * sw, rcond=None)[0]
    np.testing.assert_allclose(fit.coef, beta, rtol=1e-10)
    # intercept-only model: the coefficient's SE is the survey mean's SE
    only = survey_linear_model(design, d["y"], {})
    mean = survey_mean(design, d["y"])
    assert only.coef[0] == pytest.approx(mean.estimate)
    assert math.sqrt(only.cov[0, 0]) == pytest.approx(mean.se, rel=1e-10)


def test_exposure_is_labelled_an_association() -> None:
    d = stacked()
    got = exposure_association(
        design_of(d),
        d["y"],
        d["exposed"],
        {"age": d["age"]},
        domain=d["post"] == 1,
        outcome_name="y",
        exposure_name="exposed",
    )
    assert got.label.startswith("association(y ~ exposed; adjusted for age")
    assert "not a causal effect" in got.method
    assert got.n == int((d["post"] == 1).sum())


def test_text_covariates_are_dummy_coded() -> None:
    d = stacked()
    sex = np.where(d["age"] > 30, "F", "M")
    got = exposure_association(design_of(d), d["y"], d["exposed"], {"sex": sex})
    assert math.isfinite(got.se)


def test_bad_inputs() -> None:
    d = stacked()
    design = design_of(d)
    with pytest.raises(StatsInputError, match="treated must be 0 or 1; row 1"):
        difference_in_differences(design, d["y"], d["t"] + 2, d["post"])
    with pytest.raises(StatsInputError, match="all four cells"):
        difference_in_differences(design, d["y"], d["t"], np.zeros_like(d["post"]))
