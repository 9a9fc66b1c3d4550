"""``kinga stats rds|nsum|capture`` end to end through :func:`kinga.stats.cli.main`."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kinga.stats import cli
from kinga.stats.tests.results import results_capture as C
from kinga.stats.tests.results import results_rds as R

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    # cli.py registers every sub-command; while another module's command is still being
    # written, register only those that import, so these tests exercise the real main().
    available = []
    for name in cli.COMMANDS:
        try:
            importlib.import_module(f"kinga.stats.commands.{name}")
        except ImportError:
            continue
        available.append(name)
    monkeypatch.setattr(cli, "COMMANDS", tuple(available))

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def rds_args(reference_dir: Path, *extra: str) -> list[str]:
    return [
        "rds",
        str(reference_dir / "faux.csv"),
        "--id", "id", "--recruiter", "recruiter.id", "--degree", "network.size",
        "--outcome", "X", *extra,
    ]  # fmt: skip


def records(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_rds_ii_json_has_one_object_per_level(run: Run, reference_dir: Path) -> None:
    code, out, _ = run(*rds_args(reference_dir, "--json"))
    assert code == 0
    rows = records(out)
    assert [r["by"] for r in rows] == [{"level": "blue"}, {"level": "red"}]
    assert rows[0]["estimate"] == pytest.approx(R.RDS_II_FAUX_X["blue"], rel=1e-12)
    assert rows[0]["label"] == "prop(X=blue)"
    assert rows[0]["se"] is None  # no bootstrap, no standard error
    assert set(rows[0]) >= {"estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "method"}


def test_rds_i_with_bootstrap_is_reproducible(run: Run, reference_dir: Path) -> None:
    args = rds_args(
        reference_dir, "--estimator", "RDS-I", "--N", "1000", "--bootstrap", "300",
        "--seed", "1", "--json",
    )  # fmt: skip
    code, out, _ = run(*args)
    _, again, _ = run(*args)
    assert code == 0 and out == again
    blue = records(out)[0]
    assert blue["estimate"] == pytest.approx(R.RDS_I_BLUE_FAUX_X, abs=5e-8)
    assert blue["ci_low"] < blue["estimate"] < blue["ci_high"]  # type: ignore[operator]
    assert "Salganik" in str(blue["method"]) and "bootstrap seed 1" in blue["notes"]  # type: ignore[operator]


def test_rds_text_output_and_diagnostics(run: Run, reference_dir: Path) -> None:
    code, out, _ = run(*rds_args(reference_dir, "--diagnostics"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("prop(X=blue)")
    activity = [line for line in lines if line.startswith("activity(X=red")]
    assert activity and "1.03342" in activity[0]


def test_ss_needs_n(run: Run, reference_dir: Path) -> None:
    code, _, err = run(*rds_args(reference_dir, "--estimator", "SS"))
    assert code == 2
    assert "needs the population size N" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_column_is_named(run: Run, reference_dir: Path) -> None:
    args = rds_args(reference_dir)
    args[args.index("network.size")] = "netsize"
    code, _, err = run(*args)
    assert code == 2 and "no column 'netsize'" in err


def test_broken_tree_names_the_row(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "chain.csv"
    data.write_text("id,rec,deg,y\n1,seed,3,a\n2,1,4,b\n3,9,5,a\n")
    code, _, err = run(
        "rds", str(data), "--id", "id", "--recruiter", "rec", "--degree", "deg", "--outcome", "y"
    )
    assert code == 2
    assert "row 3: recruiter '9' of respondent '3' is not a respondent id" in err


def test_bad_degree_names_column_and_row(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "chain.csv"
    data.write_text("id,rec,deg,y\n1,seed,3,a\n2,1,lots,b\n")
    code, _, err = run(
        "rds", str(data), "--id", "id", "--recruiter", "rec", "--degree", "deg", "--outcome", "y"
    )
    assert code == 2 and "column 'deg', row 2: 'lots' is not a number" in err


def test_missing_degree_names_the_respondent(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "chain.csv"
    data.write_text("id,rec,deg,y\n1,seed,3,a\nB7,1,,b\n")
    code, _, err = run(
        "rds", str(data), "--id", "id", "--recruiter", "rec", "--degree", "deg", "--outcome", "y"
    )
    assert code == 2 and "row 2: degree of respondent 'B7' is missing" in err


def test_missing_file_exits_2(run: Run, tmp_path: Path) -> None:
    code, _, err = run(
        "rds", str(tmp_path / "nope.csv"), "--id", "i", "--recruiter", "r", "--degree", "d",
        "--outcome", "y",
    )  # fmt: skip
    assert code == 2 and "nope.csv" in err


def test_capture_chapman_json(run: Run) -> None:
    case = C.CHAPMAN_PINE
    code, out, _ = run(
        "capture", "--marked", str(case["M"]), "--caught", str(case["n"]),
        "--recaptured", str(case["m"]), "--json",
    )  # fmt: skip
    assert code == 0
    (row,) = records(out)
    assert round(row["estimate"]) == case["N"]  # type: ignore[call-overload]
    assert (round(row["ci_low"]), round(row["ci_high"])) == (case["lci"], case["uci"])  # type: ignore[call-overload]


def test_capture_petersen_text(run: Run) -> None:
    code, out, _ = run(
        "capture", "--marked", "948", "--caught", "421", "--recaptured", "167",
        "--method", "petersen",
    )  # fmt: skip
    assert code == 0 and out.startswith("population size (Petersen): 2389.87")


def test_capture_bad_counts_exit_2(run: Run) -> None:
    code, _, err = run("capture", "--marked", "10", "--caught", "5", "--recaptured", "7")
    assert code == 2 and "cannot exceed caught" in err


def test_nsum_round_trip(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "ard.csv"
    data.write_text("nurses,teachers,sw,w\n2,3,1,1\n0,5,0,2\n4,6,2,1\n")
    args = [
        "nsum", str(data), "--known", "nurses=50", "--known", "teachers=50",
        "--hidden", "sw", "--N", "1000", "--weights", "w",
    ]  # fmt: skip
    code, out, _ = run(*args, "--json")
    assert code == 0
    (row,) = records(out)
    degrees = [50.0, 50.0, 100.0]
    expected = 1000 * (1 * 1 + 0 * 2 + 2 * 1) / (degrees[0] + 2 * degrees[1] + degrees[2])
    assert row["estimate"] == pytest.approx(expected)
    assert row["label"] == "size(sw)"
    code, out, _ = run(*args, "--bootstrap", "100", "--seed", "3", "--json")
    _, again, _ = run(*args, "--bootstrap", "100", "--seed", "3", "--json")
    assert code == 0 and out == again


@pytest.mark.parametrize(
    ("known", "message"),
    [("nurses", "expected COL=SIZE"), ("nurses=many", "is not a number"), ("x=50", "no column")],
)
def test_nsum_bad_known_option(run: Run, tmp_path: Path, known: str, message: str) -> None:
    data = tmp_path / "ard.csv"
    data.write_text("nurses,sw\n2,1\n3,0\n")
    code, _, err = run("nsum", str(data), "--known", known, "--hidden", "sw", "--N", "1000")
    assert code == 2 and message in err
