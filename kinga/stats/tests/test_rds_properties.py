"""Properties of the RDS estimators and bootstrap that hold for any data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinga.stats.errors import StatsInputError
from kinga.stats.rds import (
    RDSSample,
    build_sample,
    categorical,
    chain_bootstrap,
    rds_i_proportions,
    rds_proportions,
    ss_inclusion,
    stationary_distribution,
)
from kinga.stats.rds.markov import smooth_transitions
from kinga.stats.rds.successive_sampling import ss_class_probabilities


def random_tree(rng: np.random.Generator, n: int, seeds: int = 5) -> tuple[list[str], list[str]]:
    """A recruitment tree: each non-seed recruited by an earlier respondent."""
    ids = [str(i) for i in range(n)]
    recruiters = ["seed"] * seeds + [str(int(rng.integers(0, i))) for i in range(seeds, n)]
    return ids, recruiters


@st.composite
def samples(draw: st.DrawFn) -> tuple[RDSSample, list[str]]:
    n = draw(st.integers(min_value=3, max_value=60))
    parents = [draw(st.integers(min_value=-1, max_value=i - 1)) for i in range(n)]
    ids = [f"r{i}" for i in range(n)]
    recruiters = ["seed" if p < 0 else f"r{p}" for p in parents]
    degree = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))
    trait = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    return build_sample(ids, recruiters, np.asarray(degree, dtype=float)), trait


@given(samples(), st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_rds_ii_with_equal_degrees_is_the_sample_share(
    data: tuple[RDSSample, list[str]], degree: int
) -> None:
    sample, trait = data
    equal = RDSSample(sample.ids, sample.recruiter, np.full(sample.n, float(degree)), sample.wave)
    outcome = categorical(trait)
    for e in rds_proportions(equal, outcome, estimator="RDS-II"):
        assert e.estimate == pytest.approx(trait.count(e.by["level"]) / len(trait))


@given(samples(), st.floats(0.1, 1e4))
@settings(max_examples=60, deadline=None)
def test_rds_ii_ignores_the_scale_of_degrees(
    data: tuple[RDSSample, list[str]], factor: float
) -> None:
    sample, trait = data
    scaled = RDSSample(sample.ids, sample.recruiter, sample.degree * factor, sample.wave)
    outcome = categorical(trait)
    a = [e.estimate for e in rds_proportions(sample, outcome)]
    b = [e.estimate for e in rds_proportions(scaled, outcome)]
    assert np.allclose(a, b, rtol=1e-10)


@given(samples())
@settings(max_examples=60, deadline=None)
def test_every_estimator_gives_shares_that_sum_to_one(data: tuple[RDSSample, list[str]]) -> None:
    sample, trait = data
    outcome = categorical(trait)
    for estimator in ("RDS-II", "SS"):
        shares = [
            e.estimate
            for e in rds_proportions(
                sample, outcome, estimator=estimator, population_size=sample.n * 3
            )
        ]
        assert sum(shares) == pytest.approx(1.0)
        assert all(0.0 <= s <= 1.0 for s in shares)


def test_stationary_distribution_of_a_periodic_chain() -> None:
    q = stationary_distribution(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert np.allclose(q, [0.5, 0.5])


def test_groups_that_never_recruit_across_have_no_stationary_distribution() -> None:
    with pytest.raises(StatsInputError, match="no unique stationary distribution"):
        stationary_distribution(np.eye(2))


def test_smoothed_chain_is_reversible_and_keeps_the_stationary_distribution() -> None:
    counts = np.array([[10.0, 5.0, 1.0], [2.0, 20.0, 8.0], [6.0, 1.0, 4.0]])
    smoothed = smooth_transitions(counts)
    q = stationary_distribution(smoothed)
    flows = q[:, None] * smoothed
    assert np.allclose(flows, flows.T)  # detailed balance
    assert np.allclose(q @ smoothed, q)


def test_data_smoothed_rds_i_equals_rds_i_with_three_groups() -> None:
    # Symmetrising the equilibrium flows keeps each group's total flow, so the smoothed
    # chain has the raw chain's stationary distribution and the estimates agree (as in
    # R, whose RDS-I (DS) is built the same way); smoothing only makes the reciprocity
    # equations of Heckathorn (2002) consistent.
    rng = np.random.default_rng(3)
    ids, recruiters = random_tree(rng, 300)
    degree = rng.integers(1, 30, size=300).astype(float)
    trait = rng.choice(["x", "y", "z"], size=300, p=[0.2, 0.3, 0.5]).tolist()
    sample = build_sample(ids, recruiters, degree)
    outcome = categorical(trait)
    plain = rds_i_proportions(sample, outcome)
    smoothed = rds_i_proportions(sample, outcome, smoothed=True)
    assert plain.sum() == pytest.approx(1.0) and smoothed.sum() == pytest.approx(1.0)
    assert np.allclose(plain, smoothed, rtol=1e-10)


def test_deterministic_ss_inclusion_matches_simulated_successive_sampling() -> None:
    # Successive sampling with probability proportional to degree = the n units whose
    # exponential clocks (rate = degree) ring first. Simulate it and compare.
    classes = np.array([2.0, 5.0, 10.0, 30.0])
    counts = np.array([300, 200, 100, 20])
    n = 200
    degree = np.repeat(classes, counts)
    rng = np.random.default_rng(11)
    clocks = rng.exponential(size=(4000, degree.size)) / degree
    chosen = np.argsort(clocks, axis=1)[:, :n]
    hits = np.bincount(chosen.ravel(), minlength=degree.size) / 4000
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    simulated = np.add.reduceat(hits, starts) / counts
    approx = ss_inclusion(classes, counts.astype(float), n)
    assert np.allclose(approx, simulated, atol=0.015)
    assert (approx * counts).sum() == pytest.approx(n)


def test_ss_falls_back_to_rds_ii_below_the_ss_infinity_fraction() -> None:
    classes = np.array([1.0, 4.0])
    probs = ss_class_probabilities(classes, np.array([10.0, 10.0]), 1000.0)
    assert np.allclose(probs / probs[0], [1.0, 4.0])


def faux_like(seed: int = 5, n: int = 400) -> tuple[RDSSample, list[str]]:
    rng = np.random.default_rng(seed)
    ids, recruiters = random_tree(rng, n)
    degree = rng.integers(2, 40, size=n).astype(float)
    trait = rng.choice(["no", "yes"], size=n, p=[0.7, 0.3]).tolist()
    return build_sample(ids, recruiters, degree), trait


@pytest.mark.parametrize("estimator", ["RDS-I", "RDS-I-DS", "RDS-II", "SS"])
@pytest.mark.parametrize("within_group", ["uniform", "degree"])
def test_bootstrap_is_reproducible_for_the_same_generator_seed(
    estimator: str, within_group: str
) -> None:
    sample, trait = faux_like()
    outcome = categorical(trait)

    def run(seed: int) -> np.ndarray:
        return chain_bootstrap(
            sample,
            outcome,
            estimator,  # type: ignore[arg-type]
            replicates=50,
            rng=np.random.default_rng(seed),
            population_size=2000,
            within_group=within_group,  # type: ignore[arg-type]
        )

    first, again, other = run(7), run(7), run(8)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (50, 2)
    assert np.allclose(first.sum(axis=1), 1.0)


def test_bootstrap_without_homophily_has_a_design_effect_near_one() -> None:
    # Traits assigned independently of the tree and equal degrees: the chain is close
    # to independent draws, so the bootstrap SE should be near sqrt(p(1-p)/n).
    rng = np.random.default_rng(21)
    n = 500
    ids, recruiters = random_tree(rng, n)
    trait = rng.choice(["no", "yes"], size=n, p=[0.6, 0.4]).tolist()
    sample = build_sample(ids, recruiters, np.full(n, 10.0))
    estimates = rds_proportions(
        sample, categorical(trait), bootstrap=2000, rng=np.random.default_rng(1)
    )
    assert estimates[1].deff == pytest.approx(1.0, abs=0.2)
    assert estimates[1].ci_low < estimates[1].estimate < estimates[1].ci_high
    assert "B=2000" in estimates[1].method and "Salganik" in estimates[1].method


def test_degree_proportional_variant_is_named_and_differs() -> None:
    sample, trait = faux_like()
    outcome = categorical(trait)
    uniform = rds_proportions(sample, outcome, bootstrap=200, rng=np.random.default_rng(2))
    degree = rds_proportions(
        sample, outcome, bootstrap=200, rng=np.random.default_rng(2), within_group="degree"
    )
    assert "degree-proportional" in degree[0].method
    assert uniform[0].estimate == degree[0].estimate
    assert uniform[0].se != degree[0].se


def test_percentile_interval_uses_bootstrap_quantiles() -> None:
    sample, trait = faux_like()
    e = rds_proportions(
        sample, categorical(trait), bootstrap=300, rng=np.random.default_rng(4),
        interval="percentile",
    )[1]  # fmt: skip
    assert e.ci_low < e.estimate < e.ci_high
    assert "percentile" in e.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"estimator": "RDS-III"}, "unknown estimator"),
        ({"estimator": "SS"}, "needs the population size N"),
        ({"population_size": 10}, "smaller than the sample size"),
        ({"bootstrap": 10}, "needs a numpy.random.Generator"),
        ({"bootstrap": 1, "rng": np.random.default_rng(1)}, "at least 2 replicates"),
        ({"interval": "bca"}, "interval must be"),
        ({"level": 1.5}, "confidence level"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    sample, trait = faux_like(n=50)
    with pytest.raises(StatsInputError, match=message):
        rds_proportions(sample, categorical(trait), **kwargs)  # type: ignore[arg-type]


def test_missing_outcomes_are_left_out_and_reported() -> None:
    sample = build_sample(["a", "b", "c", "d"], ["seed", "a", "a", "b"], [1.0, 2.0, 4.0, 4.0])
    outcome = categorical(["x", "", "y", "NA"])
    estimates = rds_proportions(sample, outcome)
    assert estimates[0].estimate == pytest.approx((1 / 1) / (1 / 1 + 1 / 4))
    assert estimates[0].n == 2
    assert any("2 respondents with missing" in note for note in estimates[0].notes)
