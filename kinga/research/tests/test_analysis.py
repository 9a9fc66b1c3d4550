import math

import numpy as np
import pytest

from kinga.research import analysis
from kinga.research.tests import factories
from kinga.stats.design import SurveyDesign
from kinga.stats.did import difference_in_differences, exposure_association
from kinga.stats.survey import survey_mean, survey_proportions


def _direct():
    """The synthetic survey read independently of the app, and its design built directly."""
    rows = factories.kap_rows()
    col = {
        name.split("/")[-1]: np.array([r[i] for r in rows])
        for i, name in enumerate(factories.HEADER)
    }
    design = SurveyDesign(
        col["weight"].astype(float), strata=col["county"], psu=col["village"], lonely_psu="adjust"
    )
    return col, design


def _by(cells, **keys):
    return next(c for c in cells if all(c.keys.get(k) == v for k, v in keys.items()))


def test_round_estimates_equal_kinga_stats_computed_directly(designed):
    report = analysis.build_report(designed)
    assert not report.problem
    knows = report.indicators[0]
    col, design = _direct()
    labels = np.where(col["knows_report"] == "n/a", "", col["knows_report"])
    for value, label in (("baseline", "Baseline"), ("endline", "Endline")):
        expected = survey_proportions(design, labels, domain=col["round"] == value, na_rm=True)
        yes = next(e for e in expected if e.label.endswith("=1)"))
        got = _by(knows.by_round, round=label).estimate
        assert got.estimate == pytest.approx(yes.estimate, rel=1e-12)
        assert got.se == pytest.approx(yes.se, rel=1e-12)
        assert (got.ci_low, got.ci_high) == pytest.approx((yes.ci_low, yes.ci_high), rel=1e-12)


def test_group_and_county_estimates_are_domains_of_the_full_design(designed):
    report = analysis.build_report(designed)
    score = report.indicators[1]
    col, design = _direct()
    y = col["score"].astype(float)
    domain = (col["round"] == "endline") & (col["respondent_type"] == "school")
    expected = survey_mean(design, y, domain=domain)
    got = _by(score.by_group, round="Endline", level="School staff").estimate
    assert got.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert got.se == pytest.approx(expected.se, rel=1e-12)
    kwale = _by(score.by_county, round="Baseline", level="Kwale").estimate
    direct = survey_mean(
        design, y, domain=(col["round"] == "baseline") & (col["county"] == "Kwale")
    )
    assert kwale.estimate == pytest.approx(direct.estimate, rel=1e-12)


def test_the_did_table_holds_the_four_cell_means_and_the_model_estimate(designed):
    report = analysis.build_report(designed)
    did = report.indicators[1].did
    col, design = _direct()
    expected = difference_in_differences(
        design,
        col["score"].astype(float),
        (col["arm"] == "1").astype(float),
        (col["round"] == "endline").astype(float),
    )
    assert did.did.estimate == pytest.approx(expected[-1].estimate, rel=1e-10)
    assert did.did.se == pytest.approx(expected[-1].se, rel=1e-10)
    means = [c.estimate.estimate for c in did.cells]
    assert means == pytest.approx([e.estimate for e in expected[:4]], rel=1e-12)
    # The saturated model's coefficient is the difference of the differences.
    assert did.did.estimate == pytest.approx((means[3] - means[2]) - (means[1] - means[0]))
    assert 0 <= did.p_value <= 1


def test_the_exposure_comparison_is_an_adjusted_association_at_endline(designed):
    report = analysis.build_report(designed)
    x = report.indicators[1].exposure
    col, design = _direct()
    endline = col["round"] == "endline"
    expected = exposure_association(
        design,
        np.where(endline, col["score"].astype(float), np.nan),
        (col["attended"] == "yes").astype(float),
        {"respondent_type": col["respondent_type"]},
        domain=endline,
        exposure_name="attended",
    )
    assert x.association.estimate == pytest.approx(expected.estimate, rel=1e-10)
    assert "association" in x.association.method
    assert x.adjusted_for == ["respondent_type"]


def test_cells_below_the_small_cell_size_are_suppressed(designed, settings):
    settings.KINGA_SMALL_CELL = 37
    report = analysis.build_report(designed)
    by_group = report.indicators[0].by_group
    assert any(c.suppressed for c in by_group)
    for cell in by_group:
        assert cell.suppressed == (cell.n < 37)
        if cell.suppressed:
            assert cell.estimate is None
    did = report.indicators[0].did
    assert did.suppressed and did.did is None  # each arm x round cell has 36 rows


def test_a_design_that_cannot_be_built_gives_a_message_not_an_error_page(cast, dataset):
    from kinga.research.models import DesignSpec

    DesignSpec.objects.create(dataset=dataset, strata="county", psu="arm", lonely_psu="fail")
    report = analysis.build_report(dataset)
    assert "appears in strata" in report.problem


def test_without_a_design_rows_are_a_simple_random_sample(cast, dataset):
    from kinga.research import services

    services.indicator_create(
        actor=cast.me_officer, dataset=dataset, label="Score", variable="score", kind="mean"
    )
    report = analysis.build_report(dataset)
    cell = report.indicators[0].by_round[0]
    scores = np.array([float(r[12]) for r in factories.kap_rows()])
    assert cell.estimate.estimate == pytest.approx(scores.mean())
    assert cell.estimate.se == pytest.approx(scores.std(ddof=1) / math.sqrt(scores.size))
    assert "simple random sample" in report.description
