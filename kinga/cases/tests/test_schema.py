"""The case API against its own OpenAPI schema (``/api/schema/``), with schemathesis.

Every case, referral and task operation gets generated requests — valid and invalid —
sent through the real WSGI application as a signed-in case worker (token auth). Each
response must not be a server error, must use a status code, content type and body the
schema documents. Path ids are generated too (so mostly 404s), and half of the time are
swapped for the worker's real case or referral, so the endpoints' real work runs.
Bounded: ``MAX_EXAMPLES`` per operation, no deadline; the whole file takes well under a
minute.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks

from kinga.cases import services
from kinga.cases.tests import factories as f
from kinga.wsgi import application

MAX_EXAMPLES = 20
CASE_API = r"^/api/v1/(cases|referrals|tasks)/"
ERROR_CODES = {400, 401, 403, 404, 405, 409, 413, 415}


@schemathesis.check
def json_error_envelope(ctx, response, case):
    """DESIGN.md invariant 8: every 4xx is JSON ``{"error": code, "detail": …}``."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), (
        f"a {response.status_code} as {content_type}"
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and "detail" in body, body
    return None


@schemathesis.check
def documented_success_status(ctx, response, case):
    """Any status below 400 must be one the schema documents for the operation."""
    if response.status_code >= 400:
        return None
    return checks.status_code_conformance(ctx, response, case)


# The schema does not document error responses yet (see test_error_responses_are_documented),
# so 4xx answers are held to the JSON error envelope instead of to the schema.
CHECKS = [
    checks.not_a_server_error,
    documented_success_status,
    json_error_envelope,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def one_connection():
    """The real WSGI handler closes the database connection after each request, which
    would end the test's transaction; Django's own test client switches that off too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast, one_connection):
    """A case worker's token, one of their cases and a referral sent from it."""
    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    partner = f.partner()
    case.refresh_from_db()
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity", "summary", "health"],
    )
    token, _ = Token.objects.get_or_create(user=cast.owner)
    return {"token": token.key, "case": case, "referral": referral}


def _case_api(token: str):
    auth = {"Authorization": f"Token {token}"}
    return schemathesis.openapi.from_wsgi("/api/schema/", application, headers=auth).include(
        path_regex=CASE_API
    )


def _exercise(operation, world) -> None:
    """Generated requests for one operation; raises on the first non-conformance."""
    auth = {"Authorization": f"Token {world['token']}"}

    @given(case=operation.as_strategy(), real_id=st.booleans())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same examples every run: the normal suite must not flake
    )
    def run(case, real_id):
        if real_id and "public_id" in (case.path_parameters or {}):
            target = world["referral"] if "/referrals/" in operation.path else world["case"]
            case.path_parameters["public_id"] = str(target.public_id)
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()


def test_the_case_api_conforms_to_its_schema(world):
    operations = [result.ok() for result in _case_api(world["token"]).get_all_operations()]
    assert len(operations) >= 15, [op.label for op in operations]
    failures = {}
    for operation in operations:
        try:
            _exercise(operation, world)
        except (Exception, BaseExceptionGroup) as error:  # every operation, then report
            failures[operation.label] = str(error)[:1500]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())


def test_error_responses_are_documented(world):
    raw = _case_api(world["token"]).raw_schema
    missing = []
    for path, item in raw["paths"].items():
        if not re.match(CASE_API, path):
            continue
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            documented = set(operation.get("responses", {}))
            needed = {"401"} | ({"404"} if "{public_id}" in path else set())
            needed |= {"400"} if method != "get" else set()
            if not needed <= documented:
                missing.append(f"{method.upper()} {path}: {sorted(needed - documented)}")
    assert not missing, "\n".join(missing)
