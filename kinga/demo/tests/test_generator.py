import pytest

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import Role
from kinga.demo.generator import DEMO_PASSWORD, EMAIL_DOMAIN, load_demo
from kinga.research.models import Dataset


@pytest.mark.django_db
def test_the_demo_has_one_user_per_role_and_only_demo_organisations():
    load_demo(seed=7, cases_per_organisation=6)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert all(
        email.endswith("@" + EMAIL_DOMAIN) for email in User.objects.values_list("email", flat=True)
    )
    assert all(o.is_demo and o.name.endswith("(Demo)") for o in Organisation.objects.all())
    assert User.objects.filter(role=Role.CASE_WORKER).first().check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_is_deterministic_for_a_seed_and_safe_to_run_twice():
    load_demo(seed=11, cases_per_organisation=6)
    first = sorted(User.objects.values_list("email", "full_name"))
    assert load_demo(seed=11, if_empty=True, cases_per_organisation=6) == {
        "organisations": 0,
        "users": 0,
    }
    again = load_demo(seed=11, cases_per_organisation=6)
    assert again["users"] == 0 and again["survey_datasets"] == 0
    assert sorted(User.objects.values_list("email", "full_name")) == first


@pytest.mark.django_db
def test_the_demo_survey_is_ready_for_a_baseline_endline_report():
    load_demo(seed=3, cases_per_organisation=6)
    dataset = Dataset.objects.get()
    assert dataset.row_count == 1008
    assert dataset.design.round_column == "round" and dataset.design.treated_value == "programme"
    assert dataset.indicators.count() == 3


@pytest.mark.django_db
def test_the_demo_caseload_spans_both_ngos_and_every_worker_has_cases():
    from kinga.cases.models import Case

    load_demo(seed=5, cases_per_organisation=6)
    assert set(Case.objects.values_list("organisation__code", flat=True)) == {"PCS", "MYH"}
    assert Case.objects.filter(organisation__code="MYH").count() == 6
