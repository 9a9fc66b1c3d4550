"""A person signs in on a phone-sized screen, switches to Swahili and signs out."""

import pytest
from playwright.sync_api import expect

from kinga.core.testing import PASSWORD, make_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_case_worker_signs_in_switches_to_swahili_and_signs_out(live_server, page):
    cast = make_cast()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(cast.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert cast.owner.full_name in page.content()

    page.get_by_role("button", name="Kiswahili").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sw"
    page.get_by_role("button", name="Ondoka").click()
    page.wait_for_url("**/accounts/login/")
    assert page.locator("h1").inner_text() == "Ingia kwenye Kinga"


def test_the_sign_in_form_works_from_the_keyboard_alone(live_server, page):
    cast = make_cast()
    page.goto(f"{live_server.url}/accounts/login/")
    # The email field takes focus on load; wait for that before typing, or the first
    # keys can land before the browser has applied autofocus.
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(cast.owner.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_a_wrong_password_shows_the_message_next_to_the_form(live_server, page):
    cast = make_cast()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(cast.owner.email)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("The email or password is not right").is_visible()
