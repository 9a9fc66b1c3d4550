"""Invariants of the design-based estimators (hypothesis) and the lonely-PSU rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinga.stats.design import SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.survey import survey_mean, survey_proportions, survey_ratio, survey_total

SETTINGS = settings(max_examples=40, deadline=None)


def random_design(seed: int, n: int = 120, *, fpc: bool = False) -> tuple[SurveyDesign, np.ndarray]:
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 3, n)
    psu = stratum * 100 + rng.integers(0, 6, n)
    # make sure every stratum has at least two PSUs
    psu[:6] = [0, 1, 100, 101, 200, 201]
    stratum[:6] = [0, 0, 1, 1, 2, 2]
    w = rng.uniform(0.5, 5.0, n)
    y = rng.normal(10, 3, n) + psu % 7
    population = np.full(n, 40.0) if fpc else None
    return SurveyDesign(w, strata=stratum, psu=psu, fpc=population), y


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), factor=st.floats(1e-3, 1e3))
def test_scaling_weights_leaves_means_unchanged(seed: int, factor: float) -> None:
    design, y = random_design(seed)
    scaled = design.with_weights(design.weights * factor)
    a, b = survey_mean(design, y), survey_mean(scaled, y)
    assert b.estimate == pytest.approx(a.estimate, rel=1e-12)
    assert b.se == pytest.approx(a.se, rel=1e-9)
    assert survey_total(scaled, y).estimate == pytest.approx(
        factor * survey_total(design, y).estimate
    )


@SETTINGS
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=60),
    population=st.integers(60, 10_000),
)
def test_srs_matches_textbook_formula(values: list[float], population: int) -> None:
    y = np.array(values)
    n = y.size
    design = SurveyDesign(np.full(n, population / n), fpc=np.full(n, float(population)))
    got = survey_mean(design, y)
    textbook = math.sqrt(np.var(y, ddof=1) / n * (1 - n / population))
    assert got.estimate == pytest.approx(float(y.mean()), rel=1e-9, abs=1e-9)
    assert got.se == pytest.approx(textbook, rel=1e-7, abs=1e-9)
    assert got.df == n - 1


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), cut=st.floats(8, 14))
def test_domain_equals_full_design_with_zeroed_scores(seed: int, cut: float) -> None:
    design, y = random_design(seed, fpc=True)
    domain = y > cut
    if domain.sum() < 2:
        return
    got = survey_mean(design, y, domain=domain)
    w = np.where(domain, design.weights, 0.0)
    mean = float(np.sum(w * y) / w.sum())
    scores = np.where(domain, w * (y - mean) / w.sum(), 0.0)
    assert got.estimate == pytest.approx(mean, rel=1e-12)
    assert got.se == pytest.approx(math.sqrt(design.variance(scores)), rel=1e-9)
    total = survey_total(design, y, domain=domain)
    assert total.se == pytest.approx(math.sqrt(design.variance(np.where(domain, w * y, 0.0))))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_proportions_sum_to_one_and_match_means(seed: int) -> None:
    design, y = random_design(seed)
    labels = np.where(y > 12, "high", np.where(y > 9, "mid", "low"))
    props = survey_proportions(design, labels, name="band")
    assert sum(p.estimate for p in props) == pytest.approx(1.0)
    for p in props:
        level = p.label.split("=")[1].rstrip(")")
        mean = survey_mean(design, (labels == level).astype(float))
        assert p.se == pytest.approx(mean.se, rel=1e-10)
        assert 0.0 <= p.ci_low <= p.estimate <= p.ci_high <= 1.0


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_ratio_with_unit_denominator_is_the_mean(seed: int) -> None:
    design, y = random_design(seed)
    ratio = survey_ratio(design, y, np.ones_like(y))
    mean = survey_mean(design, y)
    assert ratio.estimate == pytest.approx(mean.estimate)
    assert ratio.se == pytest.approx(mean.se, rel=1e-9)


def test_shift_invariance_of_the_mean_se() -> None:
    design, y = random_design(5)
    base = survey_mean(design, y)
    shifted = survey_mean(design, y + 1e9)
    assert shifted.se == pytest.approx(base.se, rel=1e-6)


# ------------------------------------------------------------------ lonely PSUs
def lonely_design(rule: str) -> tuple[SurveyDesign, np.ndarray]:
    # strata a (PSUs 1, 2), b (PSU 3 alone), c (PSUs 4, 5)
    strata = np.array(["a", "a", "a", "b", "b", "c", "c"])
    psu = np.array([1, 1, 2, 3, 3, 4, 5])
    y = np.array([1.0, 2.0, 4.0, 8.0, 9.0, 3.0, 5.0])
    return SurveyDesign(np.ones(7), strata=strata, psu=psu, lonely_psu=rule), y  # type: ignore[arg-type]


def test_lonely_fail() -> None:
    design, y = lonely_design("fail")
    with pytest.raises(StatsInputError, match="stratum 'b' has only one PSU"):
        survey_mean(design, y)
    # a domain that never touches stratum b is fine (as R on a subset design)
    assert survey_mean(design, y, domain=design.stratum_of_row != 1).se > 0


def test_lonely_rules() -> None:
    totals = {"a": [3.0, 4.0], "b": [17.0], "c": [3.0, 5.0]}

    def stratum_var(t: list[float]) -> float:
        n = len(t)
        return n / (n - 1) * sum((x - sum(t) / n) ** 2 for x in t)

    a, c = stratum_var(totals["a"]), stratum_var(totals["c"])
    expected = {
        "remove": a + c,
        "certainty": a + c,
        "adjust": a + c + 17.0**2,  # the lone PSU is centred at zero (R's survey)
        "average": (a + c) * 3 / 2,
    }
    for rule, variance in expected.items():
        design, y = lonely_design(rule)
        assert survey_total(design, y).se == pytest.approx(math.sqrt(variance)), rule


def test_self_representing_single_psu_is_not_lonely() -> None:
    strata = np.array([1, 1, 2])
    design = SurveyDesign(np.ones(3), strata=strata, psu=[1, 2, 3], fpc=[10.0, 10.0, 1.0])
    assert survey_total(design, np.array([1.0, 2.0, 3.0])).se > 0


def test_bad_design_inputs() -> None:
    with pytest.raises(StatsInputError, match="row 2 has -1"):
        SurveyDesign([1.0, -1.0])
    with pytest.raises(StatsInputError, match="psu is missing in row 2"):
        SurveyDesign([1.0, 1.0], psu=np.array([1.0, np.nan]))
    with pytest.raises(StatsInputError, match="mixes population counts"):
        SurveyDesign([1.0, 1.0], fpc=[0.5, 20.0])
    with pytest.raises(StatsInputError, match="more than 100% sampling"):
        SurveyDesign([1.0, 1.0, 1.0], fpc=[2.0, 2.0, 2.0])
    with pytest.raises(StatsInputError, match="varies within stratum"):
        SurveyDesign([1.0, 1.0], strata=[1, 1], fpc=[10.0, 20.0])
    with pytest.raises(StatsInputError, match="different lengths"):
        SurveyDesign([1.0, 1.0], strata=[1, 1, 2])


def test_fpc_as_fraction_equals_counts() -> None:
    _, y = random_design(11)
    n = y.size
    counts = SurveyDesign(np.ones(n), fpc=np.full(n, 1000.0))
    fraction = SurveyDesign(np.ones(n), fpc=np.full(n, n / 1000.0))
    assert survey_mean(counts, y).se == pytest.approx(survey_mean(fraction, y).se)


def test_missing_values() -> None:
    design, y = random_design(2)
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(StatsInputError, match="missing value in row 4"):
        survey_mean(design, y)
    dropped = survey_mean(design, y, na_rm=True)
    domain = survey_mean(design, np.nan_to_num(y), domain=~np.isnan(y))
    assert dropped.se == pytest.approx(domain.se) and dropped.n == y.size - 1
    with pytest.raises(StatsInputError, match="domain is empty"):
        survey_mean(design, y, domain=np.zeros(y.size, dtype=bool))
