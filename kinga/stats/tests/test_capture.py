"""Capture-recapture against FSA's validated values, plus invariants and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinga.stats.capture import capture_recapture, chapman, lincoln_petersen
from kinga.stats.errors import StatsInputError
from kinga.stats.tests.results import results_capture as R


def test_petersen_matches_fsa_and_krebs() -> None:
    case = R.PETERSEN_KREBS
    e = lincoln_petersen(case["M"], case["n"], case["m"])
    assert round(e.estimate) == case["N"]
    assert round(e.ci_low) == case["lci"]
    assert round(e.ci_high) == R.PETERSEN_KREBS_UCI
    assert e.se == pytest.approx((948**2 * 421 * (421 - 167) / 167**3) ** 0.5)


@pytest.mark.parametrize("case", [R.CHAPMAN_KREBS, R.CHAPMAN_RICKER])
def test_chapman_point_estimates_match_fsa(case: dict[str, int]) -> None:
    assert round(chapman(case["M"], case["n"], case["m"]).estimate) == case["N"]


def test_chapman_se_matches_fsa() -> None:
    case = R.CHAPMAN_SE
    e = chapman(case["M"], case["n"], case["m"])
    assert round(e.estimate) == case["N"]
    assert round(e.se) == case["SE"]


def test_chapman_normal_interval_matches_fsa() -> None:
    case = R.CHAPMAN_PINE
    e = capture_recapture(case["M"], case["n"], case["m"], method="chapman")
    assert (round(e.estimate), round(e.ci_low), round(e.ci_high)) == (
        case["N"],
        case["lci"],
        case["uci"],
    )
    assert e.ci_high - e.estimate == pytest.approx(e.estimate - e.ci_low)


@given(
    st.integers(0, 5000).flatmap(
        lambda big_m: st.integers(0, 5000).flatmap(
            lambda n: st.tuples(st.just(big_m), st.just(n), st.integers(0, min(big_m, n)))
        )
    )
)
def test_chapman_is_between_zero_and_its_m_equals_zero_value(case: tuple[int, int, int]) -> None:
    big_m, n, m = case
    e = chapman(big_m, n, m)
    assert 0.0 <= e.estimate <= (big_m + 1) * (n + 1) - 1
    assert e.se >= 0.0
    # Never below the number of distinct people actually seen, up to Chapman's -1 bias fix.
    assert e.estimate >= big_m + n - m - 1 - 1e-9


@given(st.integers(1, 2000), st.integers(1, 2000), st.data())
def test_petersen_is_at_least_the_chapman_estimate_minus_one(
    big_m: int, n: int, data: st.DataObject
) -> None:
    m = data.draw(st.integers(1, min(big_m, n)))
    assert lincoln_petersen(big_m, n, m).estimate >= chapman(big_m, n, m).estimate - 1e-9


@pytest.mark.parametrize(
    ("args", "method", "message"),
    [
        ((100, 50, 60), "chapman", r"recaptured \(60\) cannot exceed caught \(50\)"),
        ((40, 50, 45), "chapman", r"recaptured \(45\) cannot exceed marked \(40\)"),
        ((100, 50, 0), "petersen", "Petersen estimate is infinite"),
        ((-1, 50, 0), "chapman", "marked must be a whole number"),
        ((10, 5, 2), "schnabel", "method must be"),
    ],
)
def test_bad_input_is_refused(args: tuple[int, int, int], method: str, message: str) -> None:
    with pytest.raises(StatsInputError, match=message):
        capture_recapture(*args, method=method)


def test_chapman_is_defined_without_recaptures() -> None:
    assert chapman(100, 50, 0).estimate == pytest.approx(101 * 51 - 1)
