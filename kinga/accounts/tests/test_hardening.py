"""Regression tests for the attacks a security review tried against sign-in and admin.

Each test names the attack it refuses."""

from datetime import timedelta

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kinga.accounts import services
from kinga.accounts.models import FailedLogin, Organisation, OrganisationKind
from kinga.accounts.roles import Action, Role
from kinga.audit.models import AuditEvent
from kinga.core.client import client_ip
from kinga.core.testing import PASSWORD, client_for
from kinga.geo.models import County, SubCounty

LOGIN = reverse("accounts:login")
TOKEN = "/api/v1/auth/token/"


def _enrol(user):
    secret = pyotp.random_base32()
    user.mfa_secret, user.mfa_enabled = secret, True
    user.save()
    return secret


class TestTwoFactorCannotBeSkipped:
    def test_the_admin_site_has_no_sign_in_form_of_its_own(self, cast):
        response = Client().get("/system/admin/login/")
        assert response.status_code == 302 and response.url.startswith(LOGIN)

    def test_a_session_that_skipped_the_code_is_ended(self, cast):
        _enrol(cast.sysadmin)
        client = Client()
        client.force_login(cast.sysadmin)  # as if signed in by some other door
        response = client.get(reverse("accounts:organisation_list"))
        assert response.status_code == 302 and response.url == LOGIN
        assert client.get(reverse("core:home")).status_code == 302

    def test_an_enrolled_user_cannot_replace_their_authenticator(self, cast):
        secret = _enrol(cast.owner)
        client = client_for(cast.owner)
        response = client.post(reverse("accounts:mfa_setup"), {"code": "123456"})
        assert response.status_code == 302
        cast.owner.refresh_from_db()
        assert cast.owner.mfa_secret == secret

    def test_wrong_api_codes_count_towards_lockout(self, cast, settings):
        settings.KINGA_LOCKOUT_ATTEMPTS = 3
        secret = _enrol(cast.owner)
        body = {"email": cast.owner.email, "password": PASSWORD, "code": "000000"}
        for _ in range(3):
            response = Client().post(TOKEN, body, content_type="application/json")
            assert response.status_code == 401
        body["code"] = pyotp.TOTP(secret).now()
        assert Client().post(TOKEN, body, content_type="application/json").status_code == 403
        assert not Token.objects.filter(user=cast.owner).exists()

    def test_a_correct_password_does_not_reset_the_code_guessing_count(self, cast, settings):
        settings.KINGA_LOCKOUT_ATTEMPTS = 4
        _enrol(cast.owner)
        for _ in range(2):  # two rounds of "password right, code wrong twice"
            client = Client()
            client.post(LOGIN, {"email": cast.owner.email, "password": PASSWORD})
            for _ in range(2):
                client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
        response = Client().post(LOGIN, {"email": cast.owner.email, "password": PASSWORD})
        assert "Too many failed attempts" in response.content.decode()


class TestAdminsStayInTheirLane:
    def test_an_org_admin_cannot_reset_a_system_admins_password(self, cast):
        cast.sysadmin.organisation = cast.org  # even if one sits in the same organisation
        cast.sysadmin.save()
        with pytest.raises(PermissionDenied):
            services.user_reset_password(actor=cast.org_admin, user=cast.sysadmin)
        with pytest.raises(PermissionDenied):
            services.user_set_active(actor=cast.org_admin, user=cast.sysadmin, active=False)

    def test_a_system_admin_is_invited_without_an_organisation_and_can_use_the_admin(self, cast):
        user, _ = services.user_invite(
            actor=cast.sysadmin, email="ops@k.example", full_name="Ops", role=Role.SYSTEM_ADMIN
        )
        assert user.organisation is None and user.is_staff
        with pytest.raises(ValidationError):
            services.user_invite(
                actor=cast.sysadmin,
                email="ops2@k.example",
                full_name="Ops Two",
                role=Role.SYSTEM_ADMIN,
                organisation=cast.org,
            )

    def test_an_ngo_admin_cannot_make_a_county_officer(self, cast):
        with pytest.raises(ValidationError) as excinfo:
            services.user_update(
                actor=cast.org_admin,
                user=cast.owner,
                full_name=cast.owner.full_name,
                role=Role.COUNTY_OFFICER,
                counties=[],
                sub_counties=[],
            )
        assert "role" in excinfo.value.message_dict

    def test_a_county_office_can_have_a_county_officer(self, cast):
        office = Organisation.objects.create(
            name="County Office", kind=OrganisationKind.COUNTY_OFFICE, code="CCO"
        )
        kwale = County.objects.get(code="002")
        office.counties.add(kwale)
        user, _ = services.user_invite(
            actor=cast.sysadmin,
            email="dco@c.example",
            full_name="Officer",
            role=Role.COUNTY_OFFICER,
            organisation=office,
            counties=[kwale],
        )
        assert list(user.counties.all()) == [kwale]

    def test_coverage_is_limited_to_the_organisations_counties(self, cast):
        nairobi = County.objects.get(code="047")
        with pytest.raises(ValidationError) as excinfo:
            services.user_invite(
                actor=cast.org_admin,
                email="far@t.example",
                full_name="Far",
                role=Role.CASE_WORKER,
                counties=[nairobi],
            )
        assert "counties" in excinfo.value.message_dict
        kilifi_north = SubCounty.objects.get(name="Kilifi North")
        with pytest.raises(ValidationError):
            services.user_invite(
                actor=cast.org_admin,
                email="far2@t.example",
                full_name="Far Two",
                role=Role.CASE_WORKER,
                sub_counties=[kilifi_north],
            )

    def test_nobody_changes_their_own_role(self, cast):
        with pytest.raises(ValidationError):
            services.user_update(
                actor=cast.org_admin,
                user=cast.org_admin,
                full_name="Me",
                role=Role.SUPERVISOR,
                counties=[],
                sub_counties=[],
            )

    def test_organisation_names_are_unique_whatever_the_case(self, cast):
        with pytest.raises(ValidationError):
            services.organisation_save(
                actor=cast.sysadmin,
                organisation=None,
                name="TEST ngo",
                kind="ngo",
                code="TNG",
                counties=[],
            )


class TestSessionsAndTokens:
    def test_a_half_filled_form_never_reaches_the_next_person(self, cast, settings):
        import time

        client = client_for(cast.org_admin)
        client.get(reverse("core:home"))
        session = client.session
        session["kinga_last_seen"] = int(time.time()) - 3600
        session.save()
        invite = reverse("accounts:user_invite")
        client.post(invite, {"full_name": "Secret Typing", "email": "s@t.example"})
        client.post(LOGIN, {"email": cast.other_admin.email, "password": PASSWORD, "next": invite})
        assert "Secret Typing" not in client.get(invite).content.decode()

    def test_a_password_reset_revokes_api_tokens_and_the_authenticator(self, cast):
        _enrol(cast.owner)
        token = Token.objects.create(user=cast.owner)
        services.user_reset_password(actor=cast.org_admin, user=cast.owner)
        cast.owner.refresh_from_db()
        assert not cast.owner.mfa_enabled and cast.owner.mfa_secret == ""
        response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/me/")
        assert response.status_code == 401

    def test_an_old_token_expires(self, cast, settings):
        settings.KINGA_TOKEN_DAYS = 30
        token = Token.objects.create(user=cast.owner)
        Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))
        response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/me/")
        assert response.status_code == 401
        assert not Token.objects.filter(pk=token.pk).exists()

    def test_a_deactivated_organisation_loses_access_at_once(self, cast):
        client = client_for(cast.owner)
        token = Token.objects.create(user=cast.colleague)
        services.organisation_save(
            actor=cast.sysadmin,
            organisation=cast.org,
            name=cast.org.name,
            kind=cast.org.kind,
            code=cast.org.code,
            counties=cast.org.counties.all(),
            is_active=False,
        )
        assert client.get(reverse("core:home")).status_code == 302
        response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/me/")
        assert response.status_code == 401
        cast.owner.refresh_from_db()
        assert not cast.owner.can(Action.CASE_REGISTER)


class TestAddresses:
    def test_behind_one_trusted_proxy_the_client_is_the_last_forwarded_address(self, rf, settings):
        settings.KINGA_TRUSTED_PROXY_COUNT = 1
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 41.90.1.2")
        assert client_ip(request) == "41.90.1.2"

    def test_without_trusted_proxies_forwarded_headers_are_ignored(self, rf, settings):
        settings.KINGA_TRUSTED_PROXY_COUNT = 0
        request = rf.get("/", REMOTE_ADDR="41.90.1.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
        assert client_ip(request) == "41.90.1.2"

    def test_guessing_from_one_client_behind_the_proxy_does_not_lock_out_others(
        self, cast, settings
    ):
        settings.KINGA_TRUSTED_PROXY_COUNT = 1
        settings.KINGA_LOCKOUT_IP_ATTEMPTS = 3
        guesser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
        for n in range(3):
            guesser.post(LOGIN, {"email": f"g{n}@t.example", "password": "wrong-password"})
        honest = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="41.90.1.2")
        assert (
            honest.post(LOGIN, {"email": cast.owner.email, "password": PASSWORD}).status_code == 302
        )
        assert (
            "Too many"
            in guesser.post(
                LOGIN, {"email": cast.owner.email, "password": PASSWORD}
            ).content.decode()
        )

    def test_a_lockout_is_shown_on_the_locked_account(self, cast, settings):
        settings.KINGA_LOCKOUT_ATTEMPTS = 1
        Client().post(LOGIN, {"email": cast.owner.email, "password": "wrong-password"})
        Client().post(LOGIN, {"email": cast.owner.email, "password": PASSWORD})
        event = AuditEvent.objects.get(action="lockout")
        assert event.record_owner == cast.owner and event.organisation == cast.org
        assert FailedLogin.objects.count() == 1


class TestBadInputIsNeverA500:
    def test_extreme_dates_in_the_audit_filter_are_a_message(self, cast):
        client = client_for(cast.org_admin)
        for query in ("date_to=9999-12-31", "date_from=0001-01-01"):
            assert client.get(f"/audit/?{query}").status_code == 200
            assert client.get(f"/audit/mine/?{query}").status_code == 200

    def test_a_huge_page_size_is_capped(self, cast):
        token = Token.objects.create(user=cast.org_admin)
        response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get(
            "/api/v1/users/?limit=99999999999999999999999"
        )
        assert response.status_code == 200

    def test_an_overlong_email_is_a_form_error(self, cast):
        response = client_for(cast.org_admin).post(
            reverse("accounts:user_invite"),
            {
                "full_name": "Long",
                "email": "a" * 250 + "@t.example",
                "role": "chv",
                "organisation": cast.org.pk,
            },
        )
        assert response.status_code == 200 and "at most 254" in response.content.decode()

    def test_a_nul_byte_in_a_search_is_ignored(self, cast):
        assert client_for(cast.org_admin).get("/accounts/users/?q=a%00b").status_code == 200


def test_the_api_schema_needs_a_signed_in_caller(db):
    assert Client().get("/api/schema/").status_code == 401


def test_the_language_chosen_in_the_header_is_kept_at_the_next_sign_in(cast):
    client = Client()
    client.post(LOGIN, {"email": cast.owner.email, "password": PASSWORD})
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    client.post(reverse("accounts:logout"))
    fresh = Client()
    fresh.post(LOGIN, {"email": cast.owner.email, "password": PASSWORD})
    assert 'lang="sw"' in fresh.get(reverse("core:home")).content.decode()


def test_a_new_system_admin_needs_no_organisation_in_the_invite_form(cast):
    response = client_for(cast.sysadmin).post(
        reverse("accounts:user_invite"),
        {"full_name": "Second Ops", "email": "ops3@k.example", "role": "system_admin"},
    )
    assert response.status_code == 200 and "link" in response.context


@pytest.mark.parametrize("role", [Role.CASE_WORKER])
def test_an_org_admin_still_invites_into_their_own_organisation_without_choosing_it(cast, role):
    user, _ = services.user_invite(
        actor=cast.org_admin, email="x@t.example", full_name="X", role=role
    )
    assert user.organisation == cast.org
