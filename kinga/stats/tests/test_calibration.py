"""Post-stratification, raking and linear calibration of weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinga.stats.calibration import calibrate_linear, poststratify, rake
from kinga.stats.design import SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.io import Table, read_csv
from kinga.stats.survey import survey_mean, survey_total

POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def apiclus1(reference_dir: Path) -> Table:
    return read_csv(reference_dir / "apiclus1.csv")


@pytest.fixture(scope="module")
def dclus1(apiclus1: Table) -> SurveyDesign:
    return SurveyDesign(
        apiclus1.numeric("pw"), psu=apiclus1.numeric("dnum"), fpc=apiclus1.numeric("fpc")
    )


def test_poststratified_counts_are_exact_with_zero_variance(
    apiclus1: Table, dclus1: SurveyDesign
) -> None:
    design = poststratify(dclus1, apiclus1.text("stype"), POP_STYPE, name="stype")
    for level, count in POP_STYPE.items():
        got = survey_total(design, (apiclus1.text("stype") == level).astype(float))
        assert got.estimate == pytest.approx(count, rel=1e-12)
        assert got.se == pytest.approx(0.0, abs=1e-8)
    # and the mean's variance is smaller than without the auxiliary information
    api00 = apiclus1.numeric("api00")
    assert survey_mean(design, api00).se != survey_mean(dclus1, api00).se


def test_rake_converges_to_margins(apiclus1: Table, dclus1: SurveyDesign) -> None:
    raked = rake(
        dclus1,
        {
            "stype": (apiclus1.text("stype"), POP_STYPE),
            "sch.wide": (apiclus1.text("sch.wide"), POP_SCHWIDE),
        },
    )
    for column, population in (("stype", POP_STYPE), ("sch.wide", POP_SCHWIDE)):
        for level, count in population.items():
            total = raked.weights[apiclus1.text(column) == level].sum()
            assert total == pytest.approx(count, rel=1e-9)
            indicator = (apiclus1.text(column) == level).astype(float)
            assert survey_total(raked, indicator).se == pytest.approx(0.0, abs=1e-6)


def test_linear_calibration_hits_totals(apiclus1: Table, dclus1: SurveyDesign) -> None:
    enroll = apiclus1.numeric("enroll")
    ones = np.ones(dclus1.n_rows)
    calibrated = calibrate_linear(
        dclus1, {"one": ones, "enroll": enroll}, {"one": 6194.0, "enroll": 3.8e6}
    )
    assert calibrated.weights.sum() == pytest.approx(6194.0)
    assert survey_total(calibrated, enroll).estimate == pytest.approx(3.8e6)
    assert survey_total(calibrated, enroll).se == pytest.approx(0.0, abs=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    a=st.floats(100, 1000),
    b=st.floats(100, 1000),
    c=st.floats(100, 1000),
)
def test_raking_property(seed: int, a: float, b: float, c: float) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    sex = rng.choice(["F", "M"], n)
    age = rng.choice(["young", "old", "mid"], n)
    design = SurveyDesign(rng.uniform(0.5, 3, n), psu=rng.integers(0, 20, n))
    total = a + b + c
    margins = {
        "sex": (sex, {"F": total * 0.4, "M": total * 0.6}),
        "age": (age, {"young": a, "old": b, "mid": c}),
    }
    raked = rake(design, margins)
    for labels, population in margins.values():
        for level, count in population.items():
            assert raked.weights[labels == level].sum() == pytest.approx(count, rel=1e-8)


def test_inconsistent_margins_do_not_converge() -> None:
    design = SurveyDesign(np.ones(4), n_rows=4)
    with pytest.raises(StatsInputError, match="did not converge"):
        rake(
            design,
            {
                "a": (np.array(["x", "x", "y", "y"]), {"x": 10, "y": 10}),
                "b": (np.array(["p", "q", "p", "q"]), {"p": 50, "q": 50}),
            },
            max_iterations=20,
        )


def test_missing_population_level() -> None:
    design = SurveyDesign(np.ones(3), n_rows=3)
    with pytest.raises(StatsInputError, match="no population count for level 'z'"):
        poststratify(design, np.array(["x", "y", "z"]), {"x": 1, "y": 2})
    with pytest.raises(StatsInputError, match="level 'w' has a population count"):
        poststratify(design, np.array(["x", "y", "y"]), {"x": 1, "y": 2, "w": 3})
