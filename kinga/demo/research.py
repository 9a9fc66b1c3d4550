"""A synthetic community KAP survey for the demo: baseline and endline, programme and
comparison areas, stratified by county with clustered villages — the shape of the
evaluation in the seed documents, with invented respondents and invented effects.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from kinga.accounts.models import User
from kinga.research import services
from kinga.research.models import Dataset, IndicatorKind

TITLE = "Community KAP survey 2021–2022 (Demo)"
COUNTIES = ("Kilifi", "Kwale", "Mombasa")
GROUPS = ("Community leader", "Teacher", "Household")
CLUSTERS_PER_ROUND = 12  # villages sampled per county and round
RESPONDENTS_PER_CLUSTER = 14
VILLAGES_IN_COUNTY = 240  # population of villages, for the finite population correction

# Probability of "yes" at baseline and the programme's (invented) change by endline.
QUESTIONS = {
    "knows_where_to_report": ("Knows where to report a child being exploited", 0.42, 0.22, 0.05),
    "knows_referral_pathway": ("Can name the referral pathway", 0.25, 0.20, 0.03),
    "survivors_should_be_arrested": ("Believes survivors should be arrested", 0.88, -0.18, -0.03),
    "survivors_behave_immorally": ("Thinks survivors behave immorally", 0.82, -0.15, -0.02),
    "would_report": ("Would report a case", 0.89, 0.05, 0.01),
    "watches_for_signs": ("Watches for signs of exploitation", 0.30, 0.18, 0.04),
}
INDICATORS = ("knows_where_to_report", "survivors_should_be_arrested", "would_report")


def _rows(rng: np.random.Generator) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    respondent = 0
    for round_name, post in (("baseline", 0), ("endline", 1)):
        for county in COUNTIES:
            for cluster in range(CLUSTERS_PER_ROUND):
                treated = int(
                    cluster < CLUSTERS_PER_ROUND // 2
                )  # half the villages get the programme
                village_effect = rng.normal(0, 0.6)
                exposed_rate = 0.65 if (post and treated) else 0.1 if post else 0.0
                for _ in range(RESPONDENTS_PER_CLUSTER):
                    respondent += 1
                    exposed = int(rng.random() < exposed_rate)
                    row: dict[str, object] = {
                        "respondent": f"R{respondent:05d}",
                        "round": round_name,
                        "county": county,
                        "village": f"{county[:3].upper()}-{round_name[0]}{cluster:02d}",
                        "programme_area": "programme" if treated else "comparison",
                        "respondent_type": GROUPS[int(rng.integers(len(GROUPS)))],
                        "sex": "female" if rng.random() < 0.55 else "male",
                        "age": int(rng.integers(18, 70)),
                        "saw_campaign": "yes" if exposed else "no",
                        "villages_in_county": VILLAGES_IN_COUNTY,
                        "weight": round(VILLAGES_IN_COUNTY / CLUSTERS_PER_ROUND * 35, 3),
                    }
                    for name, (_, base, effect, trend) in QUESTIONS.items():
                        p = base + post * (trend + treated * effect)
                        logit = np.log(p / (1 - p)) + village_effect * 0.5
                        row[name] = "yes" if rng.random() < 1 / (1 + np.exp(-logit)) else "no"
                    rows.append(row)
    return rows


def _csv(rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _codebook() -> tuple[bytes, bytes]:
    variables = [("variable", "label", "list_name")]
    variables += [(name, label, "yesno") for name, (label, *_) in QUESTIONS.items()]
    variables += [
        ("round", "Survey round", ""),
        ("programme_area", "Programme or comparison village", ""),
        ("respondent_type", "Respondent", ""),
        ("saw_campaign", "Saw the programme's awareness campaign", "yesno"),
    ]
    choices = [("list_name", "value", "label"), ("yesno", "yes", "Yes"), ("yesno", "no", "No")]
    return (
        "\n".join(",".join(row) for row in variables).encode(),
        "\n".join(",".join(row) for row in choices).encode(),
    )


def load_kap_survey(*, analyst: User, rng: np.random.Generator) -> Dataset | None:
    """Upload, declare and define the demo survey through the same services as the pages."""
    if Dataset.objects.filter(title=TITLE, organisation_id=analyst.organisation_id).exists():
        return None
    variables, choices = _codebook()
    dataset = services.dataset_upload(
        actor=analyst,
        title=TITLE,
        description="Invented data shaped like the programme's baseline/endline KAP survey.",
        data=("kap_survey_demo.csv", _csv(_rows(rng))),
        codebook=("codebook.csv", variables),
        codebook_choices=("choices.csv", choices),
    )
    services.design_declare(
        actor=analyst,
        dataset=dataset,
        values={
            "weights": "weight",
            "strata": "county",
            "psu": "village",
            "fpc": "villages_in_county",
            "nest": True,
            "round_column": "round",
            "baseline_value": "baseline",
            "endline_value": "endline",
            "group_column": "respondent_type",
            "county_column": "county",
            "treated_column": "programme_area",
            "treated_value": "programme",
            "exposure_column": "saw_campaign",
            "exposure_value": "yes",
            "covariates": ["age"],
        },
    )
    for name in INDICATORS:
        services.indicator_create(
            actor=analyst,
            dataset=dataset,
            label=QUESTIONS[name][0],
            variable=name,
            kind=IndicatorKind.PROPORTION,
            yes_values=["yes"],
        )
    return dataset
