"""``kinga stats survey`` and ``kinga stats did`` driven as an evaluator would."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kinga.stats.cli import main
from kinga.stats.tests.results import results_survey as R

ROOT = Path(__file__).resolve().parents[3]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def run_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err, "errors are one line"
    return err


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


STRAT = ["--weights", "pw", "--strata", "stype", "--fpc", "fpc"]


def test_mean_json(capsys: pytest.CaptureFixture[str], reference_dir: Path) -> None:
    [row] = run_json(
        capsys,
        "survey",
        str(reference_dir / "apistrat.csv"),
        *STRAT,
        "--mean",
        "api00",
        "--deff",
        "--json",
    )
    assert set(row) >= {"estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "method"}
    assert math.isclose(row["estimate"], R.strat_mean_api00.estimate, rel_tol=1e-10)
    assert math.isclose(row["se"], R.strat_mean_api00.se, rel_tol=1e-10)
    assert row["df"] == 197 and row["n"] == 200
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_by_with_domain(capsys: pytest.CaptureFixture[str], reference_dir: Path) -> None:
    rows = run_json(
        capsys,
        "survey",
        str(reference_dir / "apistrat.csv"),
        *STRAT,
        "--mean",
        "api00",
        "--by",
        "stype",
        "--json",
    )
    assert [r["by"] for r in rows] == [{"stype": s} for s in ("E", "H", "M")]
    for row in rows:
        expected = R.strat_by_stype_api00[row["by"]["stype"]]
        assert math.isclose(row["se"], expected.se, rel_tol=1e-10)
    [only] = run_json(
        capsys,
        "survey",
        str(reference_dir / "apistrat.csv"),
        *STRAT,
        "--mean",
        "api00",
        "--domain",
        "stype == 'E'",
        "--json",
    )
    assert math.isclose(only["se"], R.strat_domain_E_api00.se, rel_tol=1e-10)
    assert only["df"] == 99


def test_prop_levels(capsys: pytest.CaptureFixture[str], reference_dir: Path) -> None:
    rows = run_json(
        capsys,
        "survey",
        str(reference_dir / "apistrat.csv"),
        *STRAT,
        "--prop",
        "sch.wide",
        "--json",
    )
    assert [r["label"] for r in rows] == ["prop(sch.wide=No)", "prop(sch.wide=Yes)"]
    yes = rows[1]
    assert R.strat_ciprop_schwide_yes.ci is not None
    assert math.isclose(yes["ci_low"], R.strat_ciprop_schwide_yes.ci[0], rel_tol=1e-8)


def test_two_stage_total_reports_dropped_rows(
    capsys: pytest.CaptureFixture[str], reference_dir: Path
) -> None:
    [row] = run_json(
        capsys,
        "survey",
        str(reference_dir / "apiclus2.csv"),
        "--psu",
        "dnum",
        "--psu2",
        "snum",
        "--fpc",
        "fpc1",
        "--fpc2",
        "fpc2",
        "--total",
        "enroll",
        "--json",
    )
    assert math.isclose(row["se"], R.clus2_total_enroll.se, rel_tol=1e-10)
    assert row["notes"] == ["6 row(s) with missing enroll left out (as R's na.rm=TRUE)"]


def test_text_output(capsys: pytest.CaptureFixture[str], reference_dir: Path) -> None:
    argv = ["survey", str(reference_dir / "apiclus1.csv"), "--weights", "pw", "--psu", "dnum"]
    assert main([*argv, "--fpc", "fpc", "--mean", "api00", "--deff"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mean(api00): 644.169  se 23.5422") and "deff 9.346" in out


# ------------------------------------------------------------------ bad input
def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "nope.csv" in run_error(capsys, "survey", str(tmp_path / "nope.csv"), "--mean", "x")


def test_missing_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3,4\n")
    assert "no column 'pw'" in run_error(capsys, "survey", path, "--weights", "pw", "--mean", "y")
    assert "no column 'z'" in run_error(capsys, "survey", path, "--mean", "z")


def test_non_numeric_value_names_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3,4\nabc,1\n")
    err = run_error(capsys, "survey", path, "--weights", "y", "--mean", "w")
    assert "column 'y' has a non-numeric value 'abc' in row 3" in err


def test_negative_weight(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3,-4\n")
    err = run_error(capsys, "survey", path, "--weights", "w", "--mean", "y")
    assert "--weights column 'w'" in err and "row 2 has -4" in err


def test_lonely_psu(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,s,p\n1,a,1\n2,a,2\n3,b,3\n4,a,1\n")
    argv = ["survey", path, "--strata", "s", "--psu", "p", "--mean", "y"]
    assert "stratum 'b' has only one PSU" in run_error(capsys, *argv)
    assert main([*argv, "--lonely-psu", "remove", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert "lonely PSUs handled by rule 'remove'" in row["notes"]


def test_empty_domain(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3,4\n")
    err = run_error(capsys, "survey", path, "--mean", "y", "--domain", "y > 10")
    assert "matches no row" in err


def test_ragged_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3\n")
    assert "row 2 has 1 fields but the header has 2" in run_error(
        capsys, "survey", path, "--mean", "y"
    )


def test_missing_weight(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n3,NA\n")
    err = run_error(capsys, "survey", path, "--weights", "w", "--mean", "y")
    assert "row 2 has missing" in err


def test_missing_outcome_can_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w\n1,2\n,3\n5,1\n")
    assert "missing value in row 2" in run_error(
        capsys, "survey", path, "--mean", "y", "--na", "fail"
    )


# ------------------------------------------------------------------ did
def test_did_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = ["y,w,s,p,t,post,e,age"]
    for i in range(48):
        t, post = i % 2, (i // 2) % 2
        y = 1 + t + 2 * post + 3 * t * post + (i % 5) * 0.1
        lines.append(f"{y},{1 + i % 3},{i % 2},{i % 8},{t},{post},{i % 3 == 0:d},{20 + i % 7}")
    path = write(tmp_path, "\n".join(lines) + "\n")
    rows = run_json(
        capsys,
        "did",
        path,
        "--weights",
        "w",
        "--strata",
        "s",
        "--psu",
        "p",
        "--outcome",
        "y",
        "--treated",
        "t",
        "--post",
        "post",
        "--exposure",
        "e",
        "--covariates",
        "age",
        "--json",
    )
    labels = [r["label"] for r in rows]
    assert labels[:4] == ["mean(y)"] * 4
    assert rows[0]["by"] == {"t": 0, "post": 0}
    assert labels[6] == "did(y: t x post)"
    cells = {(r["by"]["t"], r["by"]["post"]): r["estimate"] for r in rows[:4]}
    did = (cells[1, 1] - cells[1, 0]) - (cells[0, 1] - cells[0, 0])
    assert math.isclose(rows[6]["estimate"], did, rel_tol=1e-10)
    assert "association" in rows[7]["label"] and "not a causal effect" in rows[7]["method"]


def test_did_requires_binary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "y,w,s,p,t,post\n1,1,1,1,0,0\n2,1,1,2,2,1\n")
    err = run_error(
        capsys,
        "did",
        path,
        "--weights",
        "w",
        "--strata",
        "s",
        "--psu",
        "p",
        "--outcome",
        "y",
        "--treated",
        "t",
        "--post",
        "post",
    )
    assert "t must be 0 or 1; row 2 has 2" in err


# ------------------------------------------------------------------ as a process
def test_module_entry_point(reference_dir: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kinga.stats.cli",
            "survey",
            str(reference_dir / "fpc.csv"),
            "--weights",
            "weight",
            "--strata",
            "stratid",
            "--psu",
            "psuid",
            "--nest",
            "--fpc",
            "Nh",
            "--mean",
            "x",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert math.isclose(row["se"], R.fpc_mean_x_nh.se, rel_tol=1e-10)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "kinga.stats.cli",
            "survey",
            str(reference_dir / "fpc.csv"),
            "--mean",
            "nonesuch",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 2 and "no column 'nonesuch'" in bad.stderr
