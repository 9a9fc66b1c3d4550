"""Recruitment-tree validation: every broken export fails naming the respondent."""

from __future__ import annotations

import numpy as np
import pytest

from kinga.stats.errors import StatsInputError
from kinga.stats.rds import build_sample


def test_waves_and_seed_markers() -> None:
    sample = build_sample(
        ["a", "b", "c", "d", "e", "f"],
        ["seed", "a", "b", "", "NA", "-1"],
        [3, 4, 5, 6, 7, 8],
    )
    assert sample.is_seed.tolist() == [True, False, False, True, True, True]
    assert sample.wave.tolist() == [0, 1, 2, 0, 0, 0]
    assert sample.recruiter.tolist() == [-1, 0, 1, -1, -1, -1]


def test_a_seed_marker_that_is_an_id_is_a_recruiter() -> None:
    # With an id "0", recruiter "0" means respondent 0, not "seed".
    sample = build_sample(["0", "1", "2"], ["seed", "0", "0"], [2, 2, 2])
    assert sample.recruiter.tolist() == [-1, 0, 0]


@pytest.mark.parametrize(
    ("ids", "recruiters", "degrees", "message"),
    [
        (["a", "b", "a"], ["seed", "a", "b"], [1, 1, 1], "id 'a' appears twice (rows 1 and 3)"),
        (["a", "", "c"], ["seed", "a", "a"], [1, 1, 1], "row 2: respondent id is missing"),
        (["a", "b"], ["seed", "zz"], [1, 1], "row 2: recruiter 'zz' of respondent 'b'"),
        (["a", "b"], ["seed", "b"], [1, 1], "row 2: respondent 'b' recruited themself"),
        (["a", "b"], ["seed", "a"], [1, float("nan")], "degree of respondent 'b' is missing"),
        (["a", "b"], ["seed", "a"], [0, 2], "row 1: degree of respondent 'a' is 0"),
        (["a", "b"], ["seed", "a"], [3, -2], "degree of respondent 'b' is -2"),
        (["a", "b"], ["b", "a"], [1, 1], "no seeds"),
        ([], [], [], "the sample is empty"),
    ],
)
def test_bad_trees_are_refused(
    ids: list[str], recruiters: list[str], degrees: list[float], message: str
) -> None:
    with pytest.raises(StatsInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_sample(ids, recruiters, np.asarray(degrees, dtype=float))


def test_a_cycle_beside_a_valid_chain_is_named() -> None:
    with pytest.raises(StatsInputError, match="recruitment cycle: 'c' recruited by 'd'"):
        build_sample(["a", "b", "c", "d"], ["seed", "a", "d", "c"], [1, 1, 1, 1])


def test_without_seeds_promotes_their_recruits() -> None:
    sample = build_sample(["a", "b", "c", "d"], ["seed", "a", "b", "a"], [1, 2, 3, 4])
    trimmed = sample.without_seeds()
    assert trimmed.ids == ("b", "c", "d")
    assert trimmed.recruiter.tolist() == [-1, 0, -1]
    assert trimmed.wave.tolist() == [0, 1, 0]


def test_all_seeds_cannot_be_excluded() -> None:
    sample = build_sample(["a", "b"], ["seed", "seed"], [1, 2])
    with pytest.raises(StatsInputError, match="every respondent is a seed"):
        sample.without_seeds()
