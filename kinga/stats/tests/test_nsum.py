"""Network scale-up: networkreporting's toy cases, invariants, bootstrap, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kinga.stats.errors import StatsInputError
from kinga.stats.nsum import (
    basic_scale_up,
    bootstrap_multipliers,
    known_population_degree,
    nsum_size,
)
from kinga.stats.result import Estimate
from kinga.stats.tests.results import results_nsum as R


def test_known_population_degree_matches_networkreporting() -> None:
    known = np.array(R.TOY_KNOWN)
    assert known_population_degree(known, R.TOY_SIZES, 1000).tolist() == R.TOY_DEGREE_N1000
    assert known_population_degree(known, R.TOY_SIZES, 2000).tolist() == R.TOY_DEGREE_N2000


def test_basic_estimator_uses_the_weighted_total_degree() -> None:
    # Degrees 10, 20, 30 (N=1000, known total 100) with weights 1, 2, 1 give the
    # weighted total degree 80 of total.degree.estimator; one tie reported by row 1.
    known = np.array([[d / 10.0] for d in R.TOTAL_DEGREE_D])
    assert known_population_degree(known, [100.0], 1000).tolist() == R.TOTAL_DEGREE_D
    e = nsum_size(known, [100.0], [1.0, 0.0, 0.0], 1000, weights=R.TOTAL_DEGREE_W)
    assert e.estimate == pytest.approx(1000 * 1.0 / R.TOTAL_DEGREE_WEIGHTED)


def test_adjustments_divide_the_estimate() -> None:
    base = nsum_size(R.TOY_KNOWN, R.TOY_SIZES, [1, 3], 1000).estimate
    adjusted = nsum_size(R.TOY_KNOWN, R.TOY_SIZES, [1, 3], 1000, degree_ratio=0.5, tx_rate=0.8)
    assert adjusted.estimate == pytest.approx(base / (0.5 * 0.8))
    assert "degree ratio 0.5" in adjusted.notes[0]


@given(
    hnp.arrays(np.float64, (12, 3), elements=st.integers(0, 30).map(float)),
    hnp.arrays(np.float64, (12,), elements=st.integers(0, 5).map(float)),
    st.floats(1e3, 1e8),
    st.floats(0.5, 20.0),
)
@settings(max_examples=80, deadline=None)
def test_known_population_estimate_ignores_n_and_the_scale_of_weights(
    known: np.ndarray, hidden: np.ndarray, total: float, factor: float
) -> None:
    known[:, 0] += 1.0  # everyone knows someone
    sizes = [1000.0, 5000.0, 20000.0]
    a = nsum_size(known, sizes, hidden, total).estimate
    b = nsum_size(known, sizes, hidden, total * factor).estimate
    w = np.linspace(1, 3, 12)
    c = nsum_size(known, sizes, hidden, total, weights=w).estimate
    d = nsum_size(known, sizes, hidden, total, weights=w * factor).estimate
    # d_i = N * share_i, so in N * sum y / sum d the total N cancels.
    assert b == pytest.approx(a, rel=1e-9)
    assert d == pytest.approx(c, rel=1e-9)


@given(
    hnp.arrays(np.float64, (8,), elements=st.floats(1.0, 500.0)),
    hnp.arrays(np.float64, (8,), elements=st.integers(0, 9).map(float)),
    st.floats(1e2, 1e7),
    st.floats(0.01, 100.0),
)
@settings(max_examples=80, deadline=None)
def test_basic_estimator_scales_linearly_with_n_for_given_degrees(
    degree: np.ndarray, hidden: np.ndarray, total: float, factor: float
) -> None:
    a = basic_scale_up(hidden, degree, total)
    b = basic_scale_up(hidden, degree, total * factor)
    assert b == pytest.approx(a * factor, rel=1e-9, abs=1e-12)


@given(st.floats(1.0, 100.0))
@settings(max_examples=30, deadline=None)
def test_estimate_scales_linearly_with_the_known_population_sizes(factor: float) -> None:
    known = np.array([[2.0, 3.0], [0.0, 5.0], [4.0, 1.0]])
    hidden = [1.0, 0.0, 2.0]
    a = nsum_size(known, [50.0, 50.0], hidden, 1e6).estimate
    b = nsum_size(known, [50.0 * factor, 50.0 * factor], hidden, 1e6).estimate
    assert b == pytest.approx(a * factor, rel=1e-9)


def survey(seed: int = 0, n: int = 300) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    degree = rng.gamma(4.0, 100.0, size=n)
    sizes = np.array([2e4, 5e4, 1e5])
    known = rng.poisson(np.outer(degree, sizes / 1e7)).astype(float)
    hidden = rng.poisson(degree * 3e3 / 1e7).astype(float)
    clusters = [f"c{i // 10}" for i in range(n)]
    return known, hidden, clusters


@pytest.mark.parametrize("kind", ["rescaled", "simple"])
def test_bootstrap_is_reproducible_and_brackets_the_estimate(kind: str) -> None:
    known, hidden, clusters = survey()
    kwargs: dict[str, Any] = {"bootstrap": 400, "bootstrap_kind": kind, "clusters": clusters}

    def run(seed: int) -> Estimate:
        return nsum_size(
            known, [2e4, 5e4, 1e5], hidden, 1e7, rng=np.random.default_rng(seed), **kwargs
        )

    first, again = run(3), run(3)
    assert first == again
    assert first.ci_low < first.estimate < first.ci_high
    assert f"{kind} bootstrap B=400" in first.method


def test_rescaled_multipliers_keep_each_stratum_total_on_average() -> None:
    strata = ["a"] * 6 + ["b"] * 4
    m = bootstrap_multipliers(10, 4000, np.random.default_rng(1), strata=strata)
    # n_h - 1 draws, each worth n_h / (n_h - 1): every replicate keeps the stratum's
    # number of PSUs, and each PSU's expected multiplier is 1.
    assert np.allclose(m[:, :6].sum(axis=1), 6.0)
    assert np.allclose(m[:, 6:].sum(axis=1), 4.0)
    assert np.allclose(m.mean(axis=0), 1.0, atol=0.05)


def test_killworth_se_without_bootstrap() -> None:
    e = nsum_size(R.TOY_KNOWN, R.TOY_SIZES, [1, 0], 1000)
    share = 1 / 100
    assert e.se == pytest.approx(1000 * (share * (1 - share) / 100) ** 0.5)
    assert "Killworth binomial SE" in e.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": [1.0, -1.0]}, "column 'hidden', row 2: counts must be numbers >= 0"),
        ({"known": [[2.0, float("nan")], [0.0, 5.0]]}, "column 'teachers', row 1"),
        ({"known_sizes": [50.0, 0.0]}, "known population sizes must be positive"),
        ({"known": [[0.0, 0.0], [0.0, 0.0]]}, "no respondent reports knowing anyone"),
        ({"tx_rate": 1.5}, "true-positive rate"),
        ({"bootstrap": 10}, "needs a numpy.random.Generator"),
        ({"weights": [1.0, -2.0]}, "weights, row 2"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "known": R.TOY_KNOWN,
        "known_sizes": R.TOY_SIZES,
        "hidden": [1.0, 0.0],
        "population_size": 1000,
        "known_names": ["nurses", "teachers"],
    }
    args.update(kwargs)
    with pytest.raises(StatsInputError, match=message):
        nsum_size(**args)


def test_a_stratum_with_one_psu_is_refused_for_the_rescaled_bootstrap() -> None:
    with pytest.raises(StatsInputError, match="stratum"):
        bootstrap_multipliers(3, 10, np.random.default_rng(1), strata=["a", "a", "b"])
