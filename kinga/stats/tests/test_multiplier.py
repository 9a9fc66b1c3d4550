"""The multiplier method N = M / p."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kinga.stats.errors import StatsInputError
from kinga.stats.multiplier import multiplier_from_rds, multiplier_size
from kinga.stats.rds import Categorical, RDSSample, build_sample, categorical, rds_proportions
from kinga.stats.result import Estimate


def proportion(p: float, se: float) -> Estimate:
    return Estimate(estimate=p, se=se, ci_low=p - 1.96 * se, ci_high=p + 1.96 * se, n=200)


def test_delta_method_and_inverted_interval() -> None:
    e = multiplier_size(500, proportion(0.25, 0.05))
    assert e.estimate == pytest.approx(2000)
    assert e.se == pytest.approx(500 * 0.05 / 0.25**2)
    assert e.ci_low == pytest.approx(500 / (0.25 + 1.96 * 0.05))
    assert e.ci_high == pytest.approx(500 / (0.25 - 1.96 * 0.05))


def test_interval_reaching_zero_has_no_upper_bound() -> None:
    e = multiplier_size(100, proportion(0.05, 0.04))
    assert math.isinf(e.ci_high)
    assert e.ci_low > 100


@pytest.mark.parametrize(("benchmark", "p"), [(0, 0.3), (-5, 0.3), (100, 0.0), (100, 1.2)])
def test_bad_input(benchmark: float, p: float) -> None:
    with pytest.raises(StatsInputError):
        multiplier_size(benchmark, proportion(p, 0.01))


def rds_sample() -> tuple[RDSSample, Categorical]:
    rng = np.random.default_rng(9)
    n = 300
    ids = [str(i) for i in range(n)]
    recruiters = ["seed"] * 4 + [str(int(rng.integers(0, i))) for i in range(4, n)]
    degree = rng.integers(2, 30, size=n).astype(float)
    used = rng.choice(["no", "yes"], size=n, p=[0.7, 0.3]).tolist()
    return build_sample(ids, recruiters, degree), categorical(used)


def test_from_rds_uses_the_rds_weighted_share() -> None:
    sample, outcome = rds_sample()
    p = rds_proportions(sample, outcome, estimator="RDS-II")[1].estimate
    e = multiplier_from_rds(sample, outcome, in_benchmark="yes", benchmark=120)
    assert e.estimate == pytest.approx(120 / p)


def test_from_rds_bootstrap_is_reproducible_and_percentile() -> None:
    sample, outcome = rds_sample()

    def run() -> Estimate:
        return multiplier_from_rds(
            sample,
            outcome,
            in_benchmark="yes",
            benchmark=120,
            bootstrap=300,
            rng=np.random.default_rng(5),
        )

    first, again = run(), run()
    assert first == again
    assert first.ci_low < first.estimate < first.ci_high
    assert "B=300, percentile" in first.method


def test_unknown_benchmark_level() -> None:
    sample, outcome = rds_sample()
    with pytest.raises(StatsInputError, match="level 'maybe'"):
        multiplier_from_rds(sample, outcome, in_benchmark="maybe", benchmark=10)
