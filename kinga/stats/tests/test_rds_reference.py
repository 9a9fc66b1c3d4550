"""RDS estimators against R's ``RDS`` package on faux / fauxmadrona (EXPECTED.md)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kinga.stats.rds import (
    Categorical,
    RDSSample,
    build_sample,
    categorical,
    differential_activity,
    estimator_weights,
    population_homophily,
    rds_i_proportions,
    rds_proportions,
    row_proportions,
    stationary_distribution,
    transition_counts,
)
from kinga.stats.rds_io import read_columns, to_float
from kinga.stats.tests.results import results_rds as R


def load(reference_dir: Path, name: str, spec: dict[str, str]) -> tuple[RDSSample, Categorical]:
    columns = read_columns(
        reference_dir / name, [spec["id"], spec["recruiter"], spec["degree"], spec["outcome"]]
    )
    sample = build_sample(
        columns[spec["id"]],
        columns[spec["recruiter"]],
        to_float(columns[spec["degree"]], spec["degree"]),
    )
    return sample, categorical(columns[spec["outcome"]], spec["outcome"])


@pytest.fixture(scope="module")
def faux(reference_dir: Path) -> tuple[RDSSample, Categorical]:
    return load(reference_dir, "faux.csv", R.FAUX)


@pytest.fixture(scope="module")
def fauxmadrona(reference_dir: Path) -> tuple[RDSSample, Categorical]:
    return load(reference_dir, "fauxmadrona.csv", R.FAUXMADRONA)


def test_faux_tree_is_read_as_r_reads_it(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    assert sample.n == 389
    assert outcome.levels == ("blue", "red")
    assert int(sample.is_seed.sum()) == 1  # the recruiter of the only seed is "seed"


def test_rds_ii_matches_r(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    estimates = rds_proportions(sample, outcome, estimator="RDS-II", label="X")
    assert [e.by["level"] for e in estimates] == ["blue", "red"]
    for e in estimates:
        assert e.estimate == pytest.approx(R.RDS_II_FAUX_X[e.by["level"]], rel=1e-12)
        assert "seeds included" in e.notes
        assert e.n == 389


def test_transition_counts_match_r(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    counts = transition_counts(sample, outcome)
    for (frm, to), expected in R.TRANSITIONS_FAUX_X.items():
        assert counts[outcome.levels.index(frm), outcome.levels.index(to)] == expected


def test_stationary_distribution_matches_r(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    q = stationary_distribution(row_proportions(transition_counts(sample, outcome)))
    assert q[0] == pytest.approx(R.STATIONARY_BLUE_FAUX_X, rel=1e-12)
    assert q.sum() == pytest.approx(1.0)


def test_rds_i_weights_match_compute_weights(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    weights = estimator_weights(sample, outcome, "RDS-I", R.FAUX_N)
    for level, expected in R.RDS_I_WEIGHT_FAUX_X.items():
        members = outcome.codes == outcome.levels.index(level)
        assert int(members.sum()) == R.RDS_I_COUNT_FAUX_X[level]
        assert np.allclose(weights[members], expected, rtol=1e-10)  # R printed 11 digits
    assert weights.sum() == pytest.approx(R.FAUX_N)


def test_rds_i_estimate_matches_r(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    assert rds_i_proportions(sample, outcome)[0] == pytest.approx(R.RDS_I_BLUE_FAUX_X, abs=5e-8)
    estimates = rds_proportions(sample, outcome, estimator="RDS-I")
    assert estimates[0].estimate == pytest.approx(R.RDS_I_BLUE_FAUX_X, abs=5e-8)


def test_two_group_smoothing_changes_nothing(faux: tuple[RDSSample, Categorical]) -> None:
    # Every two-state chain is reversible, so the data-smoothed RDS-I equals RDS-I.
    sample, outcome = faux
    plain = rds_i_proportions(sample, outcome)
    smoothed = rds_i_proportions(sample, outcome, smoothed=True)
    assert np.allclose(plain, smoothed, rtol=1e-12)


def test_differential_activity_matches_r(faux: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = faux
    value = differential_activity(sample, outcome, estimator="RDS-II")
    assert value == pytest.approx(R.DIFFERENTIAL_ACTIVITY_FAUX_X, rel=1e-12)


def test_homophily_matches_r(fauxmadrona: tuple[RDSSample, Categorical]) -> None:
    sample, outcome = fauxmadrona
    for level in (0, 1):  # symmetric for a binary trait
        value = population_homophily(
            sample, outcome, level=level, estimator="RDS-II", population_size=1000
        )
        assert value == pytest.approx(R.HOMOPHILY_FAUXMADRONA_DISEASE, rel=1e-12)


def test_ss_is_between_rds_ii_and_the_sample_share(faux: tuple[RDSSample, Categorical]) -> None:
    # SS corrects RDS-II for sampling without replacement; with n/N = 0.39 it moves the
    # estimate a little, and with a huge N it must give back RDS-II.
    sample, outcome = faux
    rds_ii = rds_proportions(sample, outcome, estimator="RDS-II")[0].estimate
    ss = rds_proportions(sample, outcome, estimator="SS", population_size=1000)[0].estimate
    huge = rds_proportions(sample, outcome, estimator="SS", population_size=1e9)[0].estimate
    assert huge == pytest.approx(rds_ii, rel=1e-12)
    assert abs(ss - rds_ii) < 0.01
    assert not math.isclose(ss, rds_ii, rel_tol=1e-6)


def test_excluding_seeds_drops_them_and_their_transitions(
    fauxmadrona: tuple[RDSSample, Categorical],
) -> None:
    sample, outcome = fauxmadrona
    included = rds_proportions(sample, outcome, estimator="RDS-II")
    excluded = rds_proportions(sample, outcome, estimator="RDS-II", exclude_seeds=True)
    assert excluded[0].n == sample.n - int(sample.is_seed.sum())
    assert "seeds excluded" in excluded[0].notes
    keep = ~sample.is_seed
    inverse = 1.0 / sample.degree[keep]
    diseased = outcome.codes[keep] == 1
    assert excluded[1].estimate == pytest.approx(inverse[diseased].sum() / inverse.sum())
    assert excluded[1].estimate != pytest.approx(included[1].estimate)
