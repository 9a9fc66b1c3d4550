import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from kinga.accounts.models import FailedLogin, User
from kinga.audit.models import AuditEvent
from kinga.core.testing import PASSWORD, client_for

LOGIN = reverse("accounts:login")


def _login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def test_it_signs_in_and_lands_on_the_home_page(cast):
    client = Client()
    response = _login(client, cast.owner.email)
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=cast.owner).exists()


def test_a_wrong_password_gets_a_clear_message_and_is_counted(cast):
    response = _login(Client(), cast.owner.email, "not-the-password")
    assert response.status_code == 200
    assert "email or password is not right" in response.content.decode()
    assert FailedLogin.objects.count() == 1
    assert AuditEvent.objects.filter(action="login_failed", outcome="failed").count() == 1


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(cast, settings):
    settings.KINGA_LOCKOUT_ATTEMPTS = 3
    for _ in range(3):
        _login(Client(), cast.owner.email, "wrong-password")
    response = _login(Client(), cast.owner.email)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert AuditEvent.objects.filter(action="lockout").exists()
    # Another account from a different address is unaffected.
    assert _login(Client(REMOTE_ADDR="10.0.0.9"), cast.colleague.email).status_code == 302


def test_one_address_trying_many_accounts_is_locked_out(cast, settings):
    settings.KINGA_LOCKOUT_IP_ATTEMPTS = 4
    for n in range(4):
        _login(Client(), f"guess{n}@t.example", "wrong-password")
    response = _login(Client(), cast.owner.email)
    assert "Too many failed attempts" in response.content.decode()


def test_the_failed_login_table_holds_no_typed_email(cast):
    _login(Client(), "typo.person@t.example", "wrong-password")
    row = FailedLogin.objects.get()
    assert "typo" not in row.account_digest and len(row.account_digest) == 64


def test_signing_out_needs_a_post_and_ends_the_session(cast):
    client = client_for(cast.owner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(cast):
    client = client_for(cast.owner)
    assert client.get(reverse("core:home")).status_code == 200
    admin = client_for(cast.org_admin)
    admin.post(reverse("accounts:user_set_active", args=[cast.owner.public_id]), {"active": "0"})
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert _login(Client(), cast.owner.email).status_code == 200  # cannot sign in again


def test_an_idle_session_expires_and_the_half_filled_form_comes_back(cast, settings):
    settings.KINGA_IDLE_TIMEOUT_MINUTES = 30
    client = client_for(cast.org_admin)
    client.get(reverse("core:home"))
    session = client.session
    session["kinga_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    invite = reverse("accounts:user_invite")
    response = client.post(
        invite, {"full_name": "Half Typed Name", "email": "half@t.example", "role": "chv"}
    )
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "next=" in response.url
    assert not User.objects.filter(email="half@t.example").exists()
    response = _login(client, cast.org_admin.email, next=invite)
    assert response.url == invite
    page = client.get(invite).content.decode()
    assert 'value="Half Typed Name"' in page


def test_the_home_page_fits_the_role(cast):
    admin_page = client_for(cast.org_admin).get(reverse("core:home")).content.decode()
    assert (
        "Your organisation&#x27;s people" in admin_page
        or "Your organisation's people" in admin_page
    )
    system_page = client_for(cast.sysadmin).get(reverse("core:home")).content.decode()
    assert "Configuration" in system_page
    worker_page = client_for(cast.owner).get(reverse("core:home")).content.decode()
    assert "Configuration" not in worker_page and "Manage users" not in worker_page


def test_the_interface_switches_to_swahili(cast):
    client = client_for(cast.owner)
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    page = client.get(reverse("core:home")).content.decode()
    assert 'lang="sw"' in page
    assert "Ondoka" in page  # "Sign out"


PAGES = [
    ("accounts:user_list", False),
    ("accounts:user_invite", False),
    ("accounts:organisation_list", False),
    ("accounts:organisation_create", False),
    ("accounts:user_edit", True),
    ("accounts:organisation_edit", True),
]


@pytest.mark.parametrize(("name", "needs_id"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(cast, name, needs_id):
    url = reverse(name, args=[cast.owner.public_id]) if needs_id else reverse(name)
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize(("name", "needs_id"), PAGES)
def test_a_case_worker_is_refused_admin_pages_with_404(cast, name, needs_id):
    url = reverse(name, args=[cast.colleague.public_id]) if needs_id else reverse(name)
    assert client_for(cast.owner).get(url).status_code == 404


def test_an_org_admin_gets_404_for_another_organisations_user(cast):
    client = client_for(cast.other_admin)
    assert client.get(reverse("accounts:user_edit", args=[cast.owner.public_id])).status_code == 404
    response = client.post(
        reverse("accounts:user_set_active", args=[cast.owner.public_id]), {"active": "0"}
    )
    assert response.status_code == 404
    cast.owner.refresh_from_db()
    assert cast.owner.is_active


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_or_unknown_id_is_a_404(cast, bad_id):
    client = client_for(cast.org_admin)
    assert client.get(f"/accounts/users/{bad_id}/").status_code == 404
    assert client_for(cast.sysadmin).get(f"/accounts/organisations/{bad_id}/").status_code == 404


def test_inviting_an_existing_email_shows_a_message(cast):
    response = client_for(cast.org_admin).post(
        reverse("accounts:user_invite"),
        {"full_name": "Dup", "email": cast.owner.email, "role": "chv", "organisation": cast.org.pk},
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()


def test_an_invitation_link_lets_the_person_choose_a_password(cast):
    response = client_for(cast.org_admin).post(
        reverse("accounts:user_invite"),
        {
            "full_name": "Kadzo Test",
            "email": "kadzo@t.example",
            "role": "chv",
            "organisation": cast.org.pk,
        },
    )
    link = response.context["link"]
    path = link.split("testserver", 1)[1]
    client = Client()
    assert client.get(path).status_code == 200
    client.post(path, {"password": "mangrove-tide-2026", "password_again": "mangrove-tide-2026"})
    assert _login(Client(), "kadzo@t.example", "mangrove-tide-2026").status_code == 302
    assert client.get(path).status_code == 404  # used once


def test_an_oversized_request_is_refused_with_413(cast, settings):
    settings.KINGA_MAX_BODY_BYTES = 2048
    response = Client().post(LOGIN, {"email": "x@t.example", "password": "p" * 5000})
    assert response.status_code == 413
    api = Client().post("/api/v1/auth/token/", data="x" * 5000, content_type="application/json")
    assert api.status_code == 413 and api.json()["error"] == "request_too_large"


def test_pages_carry_a_strict_content_security_policy(cast):
    response = Client().get(LOGIN)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_cached(cast):
    response = client_for(cast.owner).get(reverse("core:home"))
    assert "no-store" in response["Cache-Control"]


class TestTwoFactor:
    def test_a_role_that_sees_identities_must_enrol_when_required(self, cast, settings):
        settings.KINGA_REQUIRE_MFA = True
        client = Client()
        _login(client, cast.owner.email)
        response = client.get(reverse("core:home"))
        assert response.status_code == 302 and response.url == reverse("accounts:mfa_setup")
        page = client.get(reverse("accounts:mfa_setup"))
        secret = page.context["secret"]
        client.post(reverse("accounts:mfa_setup"), {"code": pyotp.TOTP(secret).now()})
        assert client.get(reverse("core:home")).status_code == 200

    def test_a_researcher_is_not_forced_to_enrol(self, cast, settings):
        from kinga.accounts.roles import Role
        from kinga.core.testing import make_user

        settings.KINGA_REQUIRE_MFA = True
        make_user("r@t.example", Role.RESEARCHER, cast.org)
        client = Client()
        _login(client, "r@t.example")
        assert client.get(reverse("core:home")).status_code == 200

    def test_an_enrolled_user_needs_the_code_to_finish_signing_in(self, cast):
        secret = pyotp.random_base32()
        cast.owner.mfa_secret, cast.owner.mfa_enabled = secret, True
        cast.owner.save()
        client = Client()
        response = _login(client, cast.owner.email)
        assert response.url == reverse("accounts:mfa_verify")
        assert client.get(reverse("core:home")).status_code == 302  # not signed in yet
        bad = client.post(reverse("accounts:mfa_verify"), {"code": "123456"})
        assert "not right" in bad.content.decode()
        assert AuditEvent.objects.filter(action="mfa_failed").exists()
        client.post(reverse("accounts:mfa_verify"), {"code": pyotp.TOTP(secret).now()})
        assert client.get(reverse("core:home")).status_code == 200
