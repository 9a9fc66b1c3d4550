"""The core case path in a phone-sized browser: register → consent → assess → plan →
supervisor approves → refer → partner accepts, reads the share profile and records the
service → follow-up → close → supervisor approves the closure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kinga.cases.tests import factories as f
from kinga.core.testing import PASSWORD, make_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, url, email):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def _save(page):
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved.").is_visible()


def test_a_case_goes_from_registration_to_closure(live_server, page):
    cast = make_cast()
    partner = f.partner()
    url = live_server.url
    _sign_in(page, url, cast.owner.email)
    page.goto(f"{url}/cases/new/")
    page.get_by_label("First name").fill("Kadzo")
    page.get_by_label("Other names").fill("Tsuma")
    page.get_by_label("Age (estimate if unknown)").fill("14")
    page.get_by_label("County:", exact=True).select_option(label="Kwale")
    page.get_by_label("Risk:", exact=True).select_option("high")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/cases/*/")
    case_url = page.url

    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Child's assent").select_option("given")
    page.get_by_label("Caregiver consented").check()
    page.get_by_label("Health facility").check()
    _save(page)
    page.get_by_role("link", name="Assess").click()
    page.get_by_label("Assessment:", exact=True).select_option("comprehensive")
    _save(page)
    page.get_by_role("link", name="Write the case plan").click()
    page.get_by_label("Goal:", exact=True).fill("Back in school")
    page.get_by_label("First action").fill("Pay fees")
    page.get_by_label("Who:", exact=True).fill("Case worker")
    page.get_by_label("By when").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    _save(page)
    _sign_out(page)

    _sign_in(page, url, cast.supervisor.email)
    page.goto(case_url)
    page.get_by_role("link", name="Approve the case plan").click()
    _save(page)
    _sign_out(page)

    _sign_in(page, url, cast.owner.email)
    page.goto(case_url)
    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Refer to").select_option(label=partner.org.name)
    page.get_by_label("Service:", exact=True).select_option("medical")
    page.get_by_label("Name, sex and age").check()
    _save(page)
    _sign_out(page)

    _sign_in(page, url, partner.user.email)
    page.goto(f"{url}/cases/referrals/")
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("link", name=page.locator("td a").first.inner_text()).click()
    assert page.get_by_text("Kadzo").is_visible()
    page.goto(f"{url}/cases/referrals/")
    page.get_by_label("Service given on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Service delivered").click()
    page.wait_for_load_state()
    _sign_out(page)

    _sign_in(page, url, cast.owner.email)
    page.goto(case_url)
    page.get_by_role("link", name="Record a follow-up").click()
    page.get_by_label("When:", exact=True).fill(timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    page.get_by_label("Risk now").select_option("low")
    _save(page)
    assert "Follow-up" in page.content()

    page.get_by_role("link", name="Close the case").click()
    page.get_by_label("Outcome").select_option("goals_met")
    page.get_by_label("Last check: the child is safe").check()
    page.get_by_label("Plan goals reviewed").check()
    _save(page)
    _sign_out(page)

    _sign_in(page, url, cast.supervisor.email)
    page.goto(case_url)
    page.get_by_role("link", name="Approve the closure", exact=True).click()
    _save(page)
    assert page.get_by_text("Closed", exact=True).first.is_visible()
