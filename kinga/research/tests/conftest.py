import pytest

from kinga.research import services
from kinga.research.tests import factories


@pytest.fixture
def dataset(cast):
    """The synthetic KAP survey, uploaded with its XLSForm by the M&E officer."""
    return services.dataset_upload(
        actor=cast.me_officer,
        title="KAP survey",
        data=("kap.csv", factories.kap_csv()),
        xlsform=("form.xlsx", factories.xlsform()),
    )


DESIGN = {
    "weights": "weight",
    "strata": "county",
    "psu": "village",
    "lonely_psu": "adjust",
    "round_column": "round",
    "baseline_value": "baseline",
    "endline_value": "endline",
    "group_column": "respondent_type",
    "county_column": "county",
    "treated_column": "arm",
    "treated_value": "1",
    "exposure_column": "attended",
    "exposure_value": "yes",
    "covariates": ["respondent_type"],
}


@pytest.fixture
def designed(cast, dataset):
    services.design_declare(actor=cast.me_officer, dataset=dataset, values=DESIGN)
    services.indicator_create(
        actor=cast.me_officer,
        dataset=dataset,
        label="Knows where to report",
        variable="knows_report",
        kind="proportion",
        yes_values=["1"],
    )
    services.indicator_create(
        actor=cast.me_officer,
        dataset=dataset,
        label="Attitude score",
        variable="score",
        kind="mean",
    )
    return dataset
