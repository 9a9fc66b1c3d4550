import pyotp
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from kinga.core.testing import PASSWORD, client_for

API = "/api/v1"


def _token_client(user):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.mark.parametrize(
    "path", ["/me/", "/users/", "/organisations/", "/users/00000000-0000-0000-0000-000000000000/"]
)
def test_anonymous_callers_get_a_401_json_error(db, path):
    response = Client().get(API + path)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_me_describes_the_caller_and_their_allowed_actions(cast):
    body = _token_client(cast.owner).get(f"{API}/me/").json()
    assert body["email"] == cast.owner.email
    assert "case.register" in body["actions"]
    assert "users.manage" not in body["actions"]


def test_a_token_is_issued_for_the_right_password_only(cast):
    bad = Client().post(
        f"{API}/auth/token/",
        {"email": cast.owner.email, "password": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 401 and bad.json()["error"] == "authentication_failed"
    good = Client().post(
        f"{API}/auth/token/",
        {"email": cast.owner.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert good.status_code == 200
    token = good.json()["token"]
    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get(f"{API}/me/").status_code == 200


def test_a_token_needs_the_second_factor_when_enrolled(cast):
    secret = pyotp.random_base32()
    cast.owner.mfa_secret, cast.owner.mfa_enabled = secret, True
    cast.owner.save()
    body = {"email": cast.owner.email, "password": PASSWORD}
    assert (
        Client().post(f"{API}/auth/token/", body, content_type="application/json").status_code
        == 401
    )
    body["code"] = pyotp.TOTP(secret).now()
    assert (
        Client().post(f"{API}/auth/token/", body, content_type="application/json").status_code
        == 200
    )


def test_malformed_json_is_a_400_with_a_json_error(db):
    response = Client().post(f"{API}/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_a_missing_field_is_named(db):
    response = Client().post(
        f"{API}/auth/token/", {"email": "a@b.example"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["detail"]


def test_the_user_list_is_scoped_to_the_admins_organisation(cast):
    emails = {
        row["email"]
        for row in _token_client(cast.org_admin).get(f"{API}/users/?limit=100").json()["results"]
    }
    assert cast.owner.email in emails
    assert cast.outsider.email not in emails


def test_a_case_worker_cannot_list_users_or_organisations(cast):
    client = _token_client(cast.owner)
    assert client.get(f"{API}/users/").status_code == 404
    assert client.get(f"{API}/organisations/").status_code == 404


def test_another_organisations_user_is_a_404(cast):
    response = _token_client(cast.other_admin).get(f"{API}/users/{cast.owner.public_id}/")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_a_deactivated_users_token_stops_working(cast):
    from kinga.accounts.services import user_set_active

    client = _token_client(cast.owner)
    user_set_active(actor=cast.org_admin, user=cast.owner, active=False)
    assert client.get(f"{API}/me/").status_code == 401


def test_the_openapi_schema_is_served_and_lists_the_endpoints(cast):
    response = client_for(cast.owner).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me/" in paths and "/api/v1/auth/token/" in paths


def test_an_unknown_api_path_is_a_json_404(db):
    response = Client().get(f"{API}/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
