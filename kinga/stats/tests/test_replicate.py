"""Replicate-weight variance: jackknife, Rao-Wu bootstrap, supplied columns."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kinga.stats.design import SurveyDesign
from kinga.stats.errors import StatsInputError
from kinga.stats.io import read_csv
from kinga.stats.replicate import (
    bootstrap,
    from_replicate_weights,
    jackknife,
    replicate_mean,
    replicate_ratio,
    replicate_total,
)
from kinga.stats.survey import survey_mean, survey_ratio, survey_total
from kinga.stats.tests.results import results_survey as R


def stratified_clusters(seed: int = 3) -> tuple[SurveyDesign, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 600
    stratum = np.repeat(np.arange(3), n // 3)
    psu = stratum * 20 + rng.integers(0, 20, n)
    y = rng.normal(10, 2, n) + (psu % 5) + stratum
    w = rng.uniform(1, 4, n)
    return SurveyDesign(w, strata=stratum, psu=psu), y


def test_jk1_matches_r_print(reference_dir: Path) -> None:
    table = read_csv(reference_dir / "apiclus1.csv")
    design = SurveyDesign(table.numeric("pw"), psu=table.numeric("dnum"), fpc=table.numeric("fpc"))
    got = replicate_mean(jackknife(design), table.numeric("api00"))
    expected = R.clus1_jk1_mean_api00_printed
    assert round(got.estimate, 2) == expected.estimate
    assert round(got.se, 3) == expected.se
    assert got.df == 14


def test_jkn_on_stratified_design_is_close_to_linearisation() -> None:
    design, y = stratified_clusters()
    replicates = jackknife(design)
    assert replicates.kind == "JKn" and replicates.replicates == design.n_psu
    # a total is linear: the JKn variance equals the linearised one exactly
    assert math.isclose(
        replicate_total(replicates, y).se, survey_total(design, y).se, rel_tol=1e-10
    )
    linear = survey_mean(design, y).se
    assert math.isclose(replicate_mean(replicates, y).se, linear, rel_tol=0.02)
    z = y > 12
    assert math.isclose(
        replicate_ratio(replicates, y, z + 1.0).se,
        survey_ratio(design, y, z + 1.0).se,
        rel_tol=0.02,
    )


def test_jk1_forced_on_strata_ignores_them() -> None:
    design, y = stratified_clusters()
    jk1 = jackknife(design, kind="JK1")
    assert jk1.kind == "JK1" and math.isclose(jk1.scale, (60 - 1) / 60)
    # ignoring strata is conservative here, and still the same order of magnitude
    ratio = replicate_mean(jk1, y).se / survey_mean(design, y).se
    assert 1.0 <= ratio < 1.5


def test_bootstrap_is_reproducible_and_close() -> None:
    design, y = stratified_clusters()
    first = replicate_mean(bootstrap(design, 400, np.random.default_rng(7)), y)
    again = replicate_mean(bootstrap(design, 400, np.random.default_rng(7)), y)
    assert first == again
    assert math.isclose(first.se, survey_mean(design, y).se, rel_tol=0.15)


def test_bootstrap_notes_fpc(reference_dir: Path) -> None:
    table = read_csv(reference_dir / "apistrat.csv")
    design = SurveyDesign(table.numeric("pw"), strata=table.text("stype"), fpc=table.numeric("fpc"))
    got = replicate_mean(bootstrap(design, 50, np.random.default_rng(1)), table.numeric("api00"))
    assert "fpc is not used" in got.notes[0]


def test_supplied_columns_reproduce_a_jackknife() -> None:
    design, y = stratified_clusters()
    made = jackknife(design, kind="JK1")
    supplied = from_replicate_weights(design.weights, made.replicate_weights, kind="JK1")
    assert replicate_mean(supplied, y).se == pytest.approx(replicate_mean(made, y).se, rel=1e-12)


def test_domain_mean() -> None:
    design, y = stratified_clusters()
    domain = y > 11
    rep = replicate_mean(jackknife(design), y, domain=domain)
    lin = survey_mean(design, y, domain=domain)
    assert rep.estimate == pytest.approx(lin.estimate)
    assert rep.se == pytest.approx(lin.se, rel=0.05)


def test_lonely_psu_blocks_jackknife() -> None:
    design = SurveyDesign(np.ones(5), strata=[1, 1, 1, 2, 2], psu=[1, 2, 3, 4, 4])
    with pytest.raises(StatsInputError, match="only one PSU"):
        jackknife(design)
    lenient = jackknife(design.with_lonely_psu("remove"))
    assert lenient.replicates == 3


def test_bad_replicate_weights() -> None:
    with pytest.raises(StatsInputError, match="matrix"):
        from_replicate_weights(np.ones(3), np.ones(3), kind="BRR")
    with pytest.raises(StatsInputError, match="explicit scale"):
        from_replicate_weights(np.ones(3), np.ones((3, 2)), kind="other")
