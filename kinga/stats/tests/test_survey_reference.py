"""The survey estimators against R's ``survey`` on its own example data (EXPECTED.md)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kinga.stats.design import SurveyDesign
from kinga.stats.io import Table, read_csv
from kinga.stats.survey import by_groups, survey_mean, survey_proportions, survey_total
from kinga.stats.tests.results import results_survey as R

RTOL = 1e-9  # far tighter than the 6 significant digits asked for


def design_from(table: Table, spec: dict[str, Any]) -> SurveyDesign:
    def col(key: str) -> Any:
        if key not in spec:
            return None
        name = spec[key]
        return table.numeric(name) if key in ("weights", "fpc", "fpc2") else table.text(name)

    return SurveyDesign(
        col("weights"),
        strata=col("strata"),
        psu=col("psu"),
        psu2=col("psu2"),
        fpc=col("fpc"),
        fpc2=col("fpc2"),
        nest=bool(spec.get("nest", False)),
        n_rows=table.n_rows,
    )


def close(actual: float, expected: float, digits: int = 12) -> bool:
    """Agreement to the number of significant digits the expected value was given with."""
    return math.isclose(actual, expected, rel_tol=0.5 * 10.0 ** (1 - digits))


def sig(value: float) -> int:
    """Significant digits in a decimal literal as written (e.g. 674.43 → 5)."""
    text = repr(value).lstrip("-").replace(".", "").lstrip("0")
    return max(len(text.rstrip("0")), 1)


@pytest.fixture(scope="module")
def apistrat(reference_dir: Path) -> Table:
    return read_csv(reference_dir / "apistrat.csv")


@pytest.fixture(scope="module")
def dstrat(apistrat: Table) -> SurveyDesign:
    return design_from(apistrat, R.STRAT_DESIGN)


def test_stratified_mean(apistrat: Table, dstrat: SurveyDesign) -> None:
    got = survey_mean(dstrat, apistrat.numeric("api00"))
    assert close(got.estimate, R.strat_mean_api00.estimate)
    assert close(got.se, R.strat_mean_api00.se)
    assert got.df == 200 - 3


def test_stratified_total_na_rm(apistrat: Table, dstrat: SurveyDesign) -> None:
    got = survey_total(dstrat, apistrat.numeric("enroll"), na_rm=True)
    assert close(got.estimate, R.strat_total_enroll.estimate)
    assert close(got.se, R.strat_total_enroll.se)


def test_stratified_factor_mean(apistrat: Table, dstrat: SurveyDesign) -> None:
    got = survey_proportions(dstrat, apistrat.text("sch.wide"), name="sch.wide")
    assert [e.label for e in got] == ["prop(sch.wide=No)", "prop(sch.wide=Yes)"]
    for estimate, level in zip(got, ("No", "Yes"), strict=True):
        assert close(estimate.estimate, R.strat_mean_schwide[level].estimate)
        assert close(estimate.se, R.strat_mean_schwide[level].se)


def test_svyciprop_logit(apistrat: Table, dstrat: SurveyDesign) -> None:
    yes = survey_proportions(dstrat, apistrat.text("sch.wide"), method="logit")[1]
    expected = R.strat_ciprop_schwide_yes
    assert expected.ci is not None
    assert close(yes.estimate, expected.estimate, digits=8)
    # R fits svyglm(quasibinomial) by IRLS, which stops at a convergence tolerance: its
    # CI agrees with the closed-form logit interval to 9 digits, not all 12 printed.
    assert close(yes.ci_low, expected.ci[0], digits=9)
    assert close(yes.ci_high, expected.ci[1], digits=9)


def test_domain_keeps_full_design(apistrat: Table, dstrat: SurveyDesign) -> None:
    got = survey_mean(dstrat, apistrat.numeric("api00"), domain=apistrat.text("stype") == "E")
    assert close(got.estimate, R.strat_domain_E_api00.estimate, sig(674.43))
    assert close(got.se, R.strat_domain_E_api00.se)
    # R's degf() on subset(dstrat, stype == "E"): 100 PSUs in 1 stratum
    assert got.df == 99
    assert got.n == 100


def test_by_groups(apistrat: Table, dstrat: SurveyDesign) -> None:
    api00 = apistrat.numeric("api00")
    seen = {}
    for keys, mask in by_groups({"stype": apistrat.text("stype")}):
        seen[keys["stype"]] = survey_mean(dstrat, api00, domain=mask, by=keys)
    assert list(seen) == ["E", "H", "M"]
    for level, expected in R.strat_by_stype_api00.items():
        assert close(seen[level].estimate, expected.estimate, sig(expected.estimate))
        assert close(seen[level].se, expected.se)
        assert seen[level].by == {"stype": level}


@pytest.fixture(scope="module")
def apiclus1(reference_dir: Path) -> Table:
    return read_csv(reference_dir / "apiclus1.csv")


def test_cluster_mean_with_deff(apiclus1: Table) -> None:
    design = design_from(apiclus1, R.CLUS1_DESIGN)
    got = survey_mean(design, apiclus1.numeric("api00"), deff=True)
    assert close(got.estimate, R.clus1_mean_api00.estimate)
    assert close(got.se, R.clus1_mean_api00.se)
    assert got.deff is not None and R.clus1_mean_api00.deff is not None
    assert close(got.deff, R.clus1_mean_api00.deff)
    assert got.df == 15 - 1


def test_cluster_total(apiclus1: Table) -> None:
    design = design_from(apiclus1, R.CLUS1_DESIGN)
    got = survey_total(design, apiclus1.numeric("enroll"))
    assert close(got.estimate, R.clus1_total_enroll.estimate)
    assert close(got.se, R.clus1_total_enroll.se)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [(R.FPC_DESIGN, R.fpc_mean_x), (R.FPC_DESIGN_NH, R.fpc_mean_x_nh)],
    ids=["no-fpc", "fpc-Nh"],
)
def test_nested_strata_clusters(
    reference_dir: Path, spec: dict[str, Any], expected: R.Expected
) -> None:
    table = read_csv(reference_dir / "fpc.csv")
    got = survey_mean(design_from(table, spec), table.numeric("x"))
    assert close(got.estimate, expected.estimate)
    assert close(got.se, expected.se)


def test_fpc_needs_nest_when_psu_labels_restart(reference_dir: Path) -> None:
    from kinga.stats.errors import StatsInputError

    table = read_csv(reference_dir / "fpc.csv")
    with pytest.raises(StatsInputError, match="--nest"):
        design_from(table, {**R.FPC_DESIGN, "nest": False})


# ---------------------------------------------------------------- two-stage (apiclus2)
@pytest.fixture(scope="module")
def apiclus2(reference_dir: Path) -> Table:
    return read_csv(reference_dir / "apiclus2.csv")


def test_two_stage_weights_come_from_fpc(apiclus2: Table) -> None:
    design = design_from(apiclus2, R.CLUS2_DESIGN)
    # (757 / 40) * (schools in district / schools sampled): the file's own pw column
    np.testing.assert_allclose(design.weights, apiclus2.numeric("pw"), rtol=1e-12)


def test_two_stage_mean(apiclus2: Table) -> None:
    design = design_from(apiclus2, R.CLUS2_DESIGN)
    got = survey_mean(design, apiclus2.numeric("api00"))
    assert close(got.estimate, R.clus2_mean_api00.estimate)
    assert close(got.se, R.clus2_mean_api00.se)
    assert close(got.estimate, R.clus2_mean_api00_printed.estimate, 5)
    assert close(got.se, R.clus2_mean_api00_printed.se, 5)
    y = apiclus2.numeric("api00")
    w = design.weights
    scores = w * (y - got.estimate) / w.sum()
    assert close(got.se, math.sqrt(multistage_by_hand(apiclus2, scores)))


def test_two_stage_total_na_rm(apiclus2: Table) -> None:
    design = design_from(apiclus2, R.CLUS2_DESIGN)
    got = survey_total(design, apiclus2.numeric("enroll"), na_rm=True)
    assert close(got.estimate, R.clus2_total_enroll.estimate)
    assert close(got.se, R.clus2_total_enroll.se)
    assert close(got.estimate, R.clus2_total_enroll_printed.estimate, 7)
    assert close(got.se, R.clus2_total_enroll_printed.se, 6)
    enroll = apiclus2.numeric("enroll")
    scores = np.where(np.isnan(enroll), 0.0, design.weights * enroll)
    assert close(got.se, math.sqrt(multistage_by_hand(apiclus2, scores)))


def multistage_by_hand(table: Table, scores: np.ndarray) -> float:
    """Lumley (2010) eq. 3.2, one PSU at a time: a slow, independent check.

    V = (1 - n/N) n/(n-1) Σ_i (t_i - t̄)² + Σ_i (n/N) (1 - m_i/M_i) m_i/(m_i-1) Σ_j (t_ij - t̄_i)²
    """
    psu, ssu = table.numeric("dnum"), table.numeric("snum")
    big_n, big_m = table.numeric("fpc1")[0], table.numeric("fpc2")
    psus = sorted(set(psu.tolist()))
    n = len(psus)
    psu_totals = [scores[psu == p].sum() for p in psus]
    mean = sum(psu_totals) / n
    v1 = (1 - n / big_n) * n / (n - 1) * sum((t - mean) ** 2 for t in psu_totals)
    v2 = 0.0
    for p in psus:
        rows = psu == p
        units = sorted(set(ssu[rows].tolist()))
        m, m_pop = len(units), big_m[rows][0]
        if m_pop == m:
            continue  # every school in the district was taken: no second-stage variance
        totals = [scores[rows & (ssu == u)].sum() for u in units]
        mean_i = sum(totals) / m
        v2 += (n / big_n) * (1 - m / m_pop) * m / (m - 1) * sum((t - mean_i) ** 2 for t in totals)
    return float(v1 + v2)
