"""Synthetic survey exports for the research tests (invented numbers, never people)."""

from __future__ import annotations

import csv
import io

import numpy as np
from openpyxl import Workbook

HEADER = [
    "start", "_uuid", "_submission_time", "_index", "round", "county", "arm", "village",
    "weight", "group_resp/respondent_type", "group_kap/knows_report",
    "group_kap/arrest_survivors", "group_kap/score", "attended",
]  # fmt: skip


def kap_rows(seed: int = 7, per_village: int = 6) -> list[list[str]]:
    """Baseline and endline, two counties (strata), treated and comparison villages."""
    rng = np.random.default_rng(seed)
    rows: list[list[str]] = []
    index = 0
    for round_ in ("baseline", "endline"):
        for county in ("Kwale", "Kilifi"):
            for arm in ("1", "0"):
                for v in range(3):
                    village = f"{county[:3]}-{arm}-{v}-{round_[0]}"
                    for _ in range(per_village):
                        index += 1
                        lift = 0.3 if (round_ == "endline" and arm == "1") else 0.0
                        knows = rng.random() < 0.35 + lift
                        arrest = rng.random() < 0.5 - lift / 2
                        attended = "yes" if rng.random() < 0.3 + lift else "no"
                        rows.append([
                            "2024-01-01T08:00:00", f"uuid-{index}", "2024-01-01", str(index),
                            round_, county, arm, village, f"{rng.uniform(5, 15):.3f}",
                            rng.choice(["household", "school", "leader"]),
                            "1" if knows else "0", "yes" if arrest else "no",
                            f"{rng.normal(10 + 5 * lift, 2):.2f}", attended,
                        ])  # fmt: skip
    rows[3][10] = "n/a"  # a missing answer, as Kobo writes it
    return rows


def to_csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def kap_csv(**kwargs: object) -> bytes:
    return to_csv(HEADER, kap_rows(**kwargs))  # type: ignore[arg-type]


def to_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kap_xlsx() -> bytes:
    return to_xlsx({"data": [HEADER, *kap_rows()]})


def xlsform() -> bytes:
    return to_xlsx(
        {
            "survey": [
                ["type", "name", "label::English (en)", "label::Swahili (sw)"],
                ["start", "start", "", ""],
                ["select_one rounds", "round", "Survey round", "Awamu"],
                ["text", "county", "County", "Kaunti"],
                ["begin group", "group_resp", "Respondent", ""],
                ["select_one resp", "respondent_type", "Respondent type", "Aina ya mhojiwa"],
                ["end group", "", "", ""],
                ["begin group", "group_kap", "Knowledge", ""],
                ["select_one yn", "knows_report", "Knows where to report abuse", "Anajua"],
                [
                    "select_one yesno",
                    "arrest_survivors",
                    "Believes survivors should be arrested",
                    "",
                ],
                ["decimal", "score", "Attitude score", ""],
                ["end group", "", "", ""],
            ],
            "choices": [
                ["list_name", "name", "label::English (en)"],
                ["yn", "1", "Yes"],
                ["yn", "0", "No"],
                ["yesno", "yes", "Yes"],
                ["yesno", "no", "No"],
                ["resp", "household", "Household member"],
                ["resp", "school", "School staff"],
                ["resp", "leader", "Community leader"],
                ["rounds", "baseline", "Baseline"],
                ["rounds", "endline", "Endline"],
            ],
        }
    )
