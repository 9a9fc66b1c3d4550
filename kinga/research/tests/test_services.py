import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.audit.models import AuditEvent
from kinga.research import services
from kinga.research.ingest import IngestError
from kinga.research.models import Dataset, DatasetVariable, Indicator
from kinga.research.tests import factories
from kinga.research.tests.conftest import DESIGN


def _upload(actor, content, name="kap.csv", **extra):
    return services.dataset_upload(actor=actor, title="T", data=(name, content), **extra)


def test_an_upload_with_its_xlsform_stores_labelled_variables_and_drops_metadata(cast, dataset):
    names = list(dataset.variables.values_list("name", flat=True))
    assert names == [
        "round", "county", "arm", "village", "weight", "respondent_type",
        "knows_report", "arrest_survivors", "score", "attended",
    ]  # fmt: skip
    knows = dataset.variables.get(name="knows_report")
    assert knows.label == "Knows where to report abuse"
    assert knows.source_name == "group_kap/knows_report"
    assert knows.kind == "categorical"
    assert knows.choice_label("1") == "Yes"
    assert knows.n_missing == 1  # "n/a" counts as missing
    assert set(dataset.dropped_columns) == {"start", "_uuid", "_submission_time", "_index"}
    assert dataset.row_count == 144
    assert "_uuid" not in dataset.csv_text().splitlines()[0]
    assert AuditEvent.objects.filter(action="create", target_id=str(dataset.public_id)).exists()


def test_an_xlsx_export_with_semicolon_free_cells_uploads_like_the_csv(cast):
    ds = _upload(cast.me_officer, factories.kap_xlsx(), name="kap.xlsx")
    assert ds.row_count == 144
    assert ds.variables.get(name="weight").kind == "numeric"


def test_a_semicolon_separated_kobo_csv_is_read(cast):
    content = factories.to_csv(factories.HEADER, factories.kap_rows(), delimiter=";")
    assert _upload(cast.me_officer, content).row_count == 144


def test_kobo_group_prefixes_keep_names_unique(cast):
    content = factories.to_csv(["a/q1", "b/q1", "q2"], [["1", "2", "3"]] * 6)
    ds = _upload(cast.me_officer, content)
    assert list(ds.variables.values_list("name", flat=True)) == ["a_q1", "b_q1", "q2"]


def test_a_codebook_csv_labels_variables_and_answers(cast):
    content = factories.to_csv(["q1"], [["1"], ["2"], ["1"]])
    codebook = factories.to_csv(["variable", "label", "list_name"], [["q1", "Heard of CSEC", "yn"]])
    choices = factories.to_csv(
        ["list_name", "value", "label"], [["yn", "1", "Yes"], ["yn", "2", "No"]]
    )
    ds = _upload(
        cast.me_officer,
        content,
        codebook=("cb.csv", codebook),
        codebook_choices=("ch.csv", choices),
    )
    q1 = ds.variables.get()
    assert q1.label == "Heard of CSEC" and q1.choice_label("2") == "No"


@pytest.mark.parametrize(
    "header",
    ["name", "respondent_name", "Jina", "full_name", "surname", "phone", "simu", "tel",
     "msisdn", "contact", "gps", "latitude", "email", "address", "id_number", "national_id",
     "PhoneNumber"],
)  # fmt: skip
def test_identity_columns_are_refused_by_name_and_nothing_is_saved(cast, header):
    content = factories.to_csv(["q1", header], [["1", "x1"], ["0", "x2"], ["1", "x3"]])
    with pytest.raises(IngestError) as caught:
        _upload(cast.me_officer, content)
    assert repr(header) in caught.value.message
    assert "Nothing was saved" in caught.value.message
    assert not Dataset.objects.exists() and not DatasetVariable.objects.exists()
    assert not AuditEvent.objects.filter(action="create", target_type="research.dataset").exists()


def test_phone_numbers_are_refused_by_their_values_whatever_the_column_is_called(cast):
    rows = [["1", "0712345678"], ["0", "+254 722 000 111"], ["1", "0110000000"], ["0", "x"]]
    with pytest.raises(IngestError) as caught:
        _upload(cast.me_officer, factories.to_csv(["q1", "hh_ref"], rows))
    assert "'hh_ref'" in caught.value.message and "phone numbers" in caught.value.message
    assert not Dataset.objects.exists()


def test_person_names_are_refused_by_their_values_even_in_a_place_column(cast):
    rows = [["Amina Wanjiru"], ["John Otieno Mwangi"], ["Grace Achieng"], ["Peter Kamau"]]
    with pytest.raises(IngestError) as caught:
        _upload(cast.me_officer, factories.to_csv(["village_name"], rows))
    assert "'village_name'" in caught.value.message and "names" in caught.value.message


def test_place_names_and_yes_no_questions_about_phones_are_accepted(cast):
    rows = [["Kwale", "Taita Taveta", "yes"], ["Kilifi", "Taita Taveta", "no"]] * 4
    ds = _upload(
        cast.me_officer, factories.to_csv(["county_name", "sub_county", "owns_phone"], rows)
    )
    assert ds.variables.count() == 3


def test_emails_are_refused_by_their_values(cast):
    rows = [["a@b.org"], ["c@d.co.ke"], ["e@f.com"]]
    with pytest.raises(IngestError, match="e-mail"):
        _upload(cast.me_officer, factories.to_csv(["ref"], rows))


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "kap.csv", "is empty"),
        (b"   \n", "kap.csv", "is empty"),
        (b"q1,q2\n", "kap.csv", "no data rows"),
        (b"q1,q2\n1,2\n3\n", "kap.csv", "row 2 has 1 fields but the header has 2"),
        (b"q1,,q3\n1,2,3\n", "kap.csv", "column 2 of the header has no name"),
        (b"q1,q1\n1,2\n", "kap.csv", "appears twice"),
        (b"PK\x03\x04not really a zip", "kap.xlsx", "not a readable XLSX"),
        (b"\x00\x01\x02binary", "kap.csv", "not a CSV or XLSX"),
        (b"whatever", "kap.xls", "old Excel"),
    ],
)
def test_a_bad_file_gets_a_clear_message(cast, content, name, message):
    with pytest.raises(IngestError, match=message):
        _upload(cast.me_officer, content, name=name)
    assert not Dataset.objects.exists()


def test_too_many_rows_or_columns_are_refused_with_the_limit(cast, settings):
    settings.KINGA_RESEARCH_MAX_ROWS = 10
    with pytest.raises(IngestError, match="more than 10 rows"):
        _upload(cast.me_officer, factories.kap_csv())
    settings.KINGA_RESEARCH_MAX_COLUMNS = 5
    with pytest.raises(IngestError, match="at most 5"):
        _upload(cast.me_officer, factories.to_csv([f"q{i}" for i in range(6)], [["1"] * 6]))


def test_only_research_analysts_with_an_organisation_may_upload(cast):
    for user in (cast.owner, cast.supervisor, cast.org_admin, cast.sysadmin):
        with pytest.raises(PermissionDenied):
            _upload(user, factories.kap_csv())


def test_the_design_must_name_existing_columns(cast, dataset):
    with pytest.raises(ValidationError) as caught:
        services.design_declare(actor=cast.me_officer, dataset=dataset, values={"psu": "cluster"})
    assert "no column 'cluster'" in str(caught.value.message_dict["psu"])


def test_non_numeric_weights_are_refused_naming_the_row(cast):
    rows = [["1.5", "1"], ["2", "0"], ["heavy", "1"], ["1", "1"]]
    ds = _upload(cast.me_officer, factories.to_csv(["w", "q"], rows))
    # The form offers only numeric columns; the service still checks a text column.
    with pytest.raises(ValidationError) as caught:
        services.design_declare(actor=cast.me_officer, dataset=ds, values={"weights": "w"})
    message = str(caught.value.message_dict["weights"])
    assert "'w'" in message and "row 3" in message and "heavy" not in message


def test_the_round_values_must_occur_in_the_round_column(cast, dataset):
    values = {**DESIGN, "endline_value": "midline"}
    with pytest.raises(ValidationError) as caught:
        services.design_declare(actor=cast.me_officer, dataset=dataset, values=values)
    assert "No row has 'midline'" in str(caught.value.message_dict["endline_value"])


def test_a_design_the_estimator_cannot_use_is_refused_with_its_reason(cast, dataset):
    values = {"strata": "county", "psu": "village", "lonely_psu": "fail", "fpc": "weight"}
    with pytest.raises(ValidationError) as caught:
        services.design_declare(actor=cast.me_officer, dataset=dataset, values=values)
    assert "fpc varies within stratum" in str(caught.value)


def test_declaring_the_design_twice_updates_it_and_audits_the_changed_fields(cast, dataset):
    services.design_declare(actor=cast.me_officer, dataset=dataset, values=DESIGN)
    services.design_declare(
        actor=cast.me_officer, dataset=dataset, values={**DESIGN, "lonely_psu": "remove"}
    )
    dataset.design.refresh_from_db()
    assert dataset.design.lonely_psu == "remove"
    event = AuditEvent.objects.filter(action="update", target_id=str(dataset.public_id)).get()
    assert "design.lonely_psu" in event.fields


def test_an_indicator_needs_yes_values_and_accepts_answer_labels(cast, dataset):
    with pytest.raises(ValidationError):
        services.indicator_create(
            actor=cast.me_officer,
            dataset=dataset,
            label="x",
            variable="knows_report",
            kind="proportion",
        )
    ind = services.indicator_create(
        actor=cast.me_officer, dataset=dataset, label="Would arrest", variable="arrest_survivors",
        kind="proportion", yes_values=["Yes"],
    )  # fmt: skip
    assert ind.yes_values == ["yes"]
    with pytest.raises(ValidationError, match="not an answer"):
        services.indicator_create(
            actor=cast.me_officer, dataset=dataset, label="x", variable="knows_report",
            kind="proportion", yes_values=["maybe"],
        )  # fmt: skip


def test_another_organisation_cannot_change_the_dataset(cast, dataset):
    from kinga.core.testing import make_user

    other_me = make_user("me@o.example", "me_officer", cast.other_org)
    with pytest.raises(PermissionDenied):
        services.design_declare(actor=other_me, dataset=dataset, values=DESIGN)
    with pytest.raises(PermissionDenied):
        services.dataset_delete(actor=other_me, dataset=dataset)
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_deleting_a_dataset_removes_its_indicators_and_is_audited(cast, designed):
    services.dataset_delete(actor=cast.me_officer, dataset=designed)
    assert not Dataset.objects.exists() and not Indicator.objects.exists()
    assert AuditEvent.objects.filter(action="delete", target_type="research.dataset").exists()
