"""Case management at scale: 100 000 cases and 100 000 children on PostgreSQL.

Budgets (DESIGN.md, issue 3), all server-side on this machine:

- case list for a case worker, filtered, 25 rows: median ≤ 50 ms and ≤ 12 SQL queries;
- "my tasks": median ≤ 50 ms;
- duplicate check for a registration: median ≤ 100 ms at 100 000 children;
- case page: ≤ 100 KB (HTML + the CSS/JS it links).

Run ``.venv/bin/python -m bench cases`` (writes bench/results/cases.json), or this file
directly (prints the JSON). It uses ``DATABASE_URL`` when that is PostgreSQL; otherwise
it creates (once) and uses the throw-away database ``kinga_bench`` on
127.0.0.1:5432 and never touches another one. The synthetic caseload is generated
with bulk inserts from a seeded ``numpy.random.Generator`` (fictional names only) and
kept, so a second run goes straight to the measurements.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

N_CASES = 100_000
SEED = 2026
RUNS = 25
BENCH_URL = "postgres://postgres@127.0.0.1:5432/kinga_bench"
ORG_PREFIX = "BN"  # bench organisations: BN1…BN5 (NGOs), BNH (health facility partner)
N_ORGS = 5
WORKERS_PER_ORG = 40
BATCH = 5_000
BUDGETS = {
    "case_list_ms": 50.0,
    "case_list_queries": 12,
    "my_tasks_ms": 50.0,
    "duplicate_check_ms": 100.0,
    "case_page_bytes": 100 * 1024,
}
COUNTIES = ("002", "003", "001")  # Kwale, Kilifi, Mombasa
STATUS_SHARES = {
    "registered": 0.08,
    "assessed": 0.05,
    "case_plan": 0.05,
    "in_progress": 0.34,
    "closing": 0.02,
    "closed": 0.40,
    "transferred": 0.02,
    "reopened": 0.04,
}
RISK_SHARES = {"high": 0.25, "medium": 0.45, "low": 0.30}
SYLLABLES = (  # noqa: SIM905 - a line of syllables reads better than a column
    "ma ka dzo ju mwa na ba ra ha mi si tsu ri ze ni ku le mbe nga wa za ti fu lu sha "
    "chi bi ye mo ke lo pe do go nde ngu ra wi mu he so ta ga"
).split()


# -- database ----------------------------------------------------------------------------


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def _ensure_bench_database(url: str) -> None:
    """Create ``kinga_bench`` if it is missing; nothing else is created or dropped."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    ) as admin:
        admin.autocommit = True
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


def _in_subprocess(url: str) -> dict[str, Any]:
    """Django is already configured for another database in this process: run apart."""
    env = {**os.environ, "DATABASE_URL": url}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_cases"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def run() -> dict[str, Any]:
    os.environ.setdefault("KINGA_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(url):
        url = BENCH_URL
        _ensure_bench_database(url)
        if _django_ready():
            return _in_subprocess(url)
        os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    return _measure()


# -- synthetic data ----------------------------------------------------------------------


def _name_pool(rng: np.random.Generator, seed_names: tuple[str, ...], size: int) -> list[str]:
    """Demo names first (the common ones), then made-up syllable names; fictional."""
    pool = list(dict.fromkeys(seed_names))
    seen = set(pool)
    while len(pool) < size:
        parts = rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))
        name = "".join(parts).capitalize()
        if name not in seen:
            seen.add(name)
            pool.append(name)
    return pool


def _zipf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 0.9
    return weights / weights.sum()


class _Tokens:
    """``name_tokens`` per name part, cached: the pools repeat parts many times."""

    def __init__(self) -> None:
        from kinga.vault.blind import name_tokens

        self._tokens = name_tokens
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> set[str]:
        out: set[str] = set()
        for part in text.split():
            if part not in self._cache:
                self._cache[part] = frozenset(self._tokens(part))
            out |= self._cache[part]
        return out


def _bench_loaded() -> bool:
    from kinga.cases.models import Case

    return Case.objects.filter(organisation__code__startswith=ORG_PREFIX).count() >= N_CASES


def _seed() -> None:
    """The caseload: 5 NGOs × 40 workers, 100 000 children and cases, assignments,
    due dates, services, plan actions and referrals. Bulk inserts, one transaction."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from kinga.accounts.models import Organisation, OrganisationKind, User
    from kinga.accounts.roles import Role
    from kinga.cases.models import (
        Case,
        CaseAssignment,
        CasePlan,
        Child,
        ChildNameToken,
        Goal,
        PlanAction,
        Referral,
        Service,
        TokenKind,
    )
    from kinga.demo import names
    from kinga.geo.models import County, SubCounty
    from kinga.vault.blind import exact_index, phone_index

    rng = np.random.default_rng(SEED)
    now = timezone.now()
    today = timezone.localdate()
    password = make_password("bench-password-not-for-use")
    counties = [County.objects.get(code=code) for code in COUNTIES]
    subs = {
        c.pk: list(SubCounty.objects.filter(county=c).values_list("pk", flat=True))
        for c in counties
    }
    tokens = _Tokens()

    with transaction.atomic():
        orgs = []
        for i in range(1, N_ORGS + 1):
            org = Organisation.objects.create(
                name=f"Bench NGO {i}", kind=OrganisationKind.NGO, code=f"{ORG_PREFIX}{i}"
            )
            org.counties.set(counties)
            orgs.append(org)
        health = Organisation.objects.create(
            name="Bench health facility", kind=OrganisationKind.HEALTH_FACILITY, code="BNH"
        )
        users: list[User] = []
        for o, org in enumerate(orgs, start=1):
            for w in range(WORKERS_PER_ORG):
                users.append(
                    User(
                        email=f"worker{w}@bn{o}.bench.example",
                        full_name=f"Bench Worker {o}-{w}",
                        role=Role.CASE_WORKER,
                        organisation=org,
                        password=password,
                    )
                )
            for s in range(3):
                users.append(
                    User(
                        email=f"supervisor{s}@bn{o}.bench.example",
                        full_name=f"Bench Supervisor {o}-{s}",
                        role=Role.SUPERVISOR,
                        organisation=org,
                        password=password,
                    )
                )
            for c in range(2):
                users.append(
                    User(
                        email=f"counsellor{c}@bn{o}.bench.example",
                        full_name=f"Bench Counsellor {o}-{c}",
                        role=Role.COUNSELLOR,
                        organisation=org,
                        password=password,
                    )
                )
        users.append(
            User(
                email="partner@bnh.bench.example",
                full_name="Bench Partner",
                role=Role.PARTNER,
                organisation=health,
                password=password,
            )
        )
        User.objects.bulk_create(users)
        workers = np.array(
            [
                [
                    User.objects.get(email=f"worker{w}@bn{o}.bench.example").pk
                    for w in range(WORKERS_PER_ORG)
                ]
                for o in range(1, N_ORGS + 1)
            ]
        )
        counsellors = {
            o: [User.objects.get(email=f"counsellor{c}@bn{o}.bench.example").pk for c in range(2)]
            for o in range(1, N_ORGS + 1)
        }
        org_ids = np.array([org.pk for org in orgs])

        n = N_CASES
        given_pool = _name_pool(rng, names.GIVEN_NAMES_FEMALE + names.GIVEN_NAMES_MALE, 600)
        family_pool = _name_pool(rng, names.FAMILY_NAMES, 900)
        given = rng.choice(len(given_pool), size=n, p=_zipf(len(given_pool)))
        family = rng.choice(len(family_pool), size=n, p=_zipf(len(family_pool)))
        nick = np.where(rng.random(n) < 0.3, rng.choice(len(given_pool), size=n), -1)
        has_phone = rng.random(n) < 0.5
        phones = rng.integers(700_000_000, 799_999_999, size=n)
        org_of = rng.integers(0, N_ORGS, size=n)
        worker_of = rng.integers(0, WORKERS_PER_ORG, size=n)
        registrar_same = rng.random(n) < 0.7
        other_worker = rng.integers(0, WORKERS_PER_ORG, size=n)
        county_of = rng.choice(len(counties), size=n, p=[0.45, 0.35, 0.20])
        sub_pick = rng.integers(0, 1_000, size=n)
        birth_year = today.year - rng.integers(6, 18, size=n)
        sex = rng.choice(["female", "male"], size=n, p=[0.7, 0.3])
        statuses = rng.choice(list(STATUS_SHARES), size=n, p=list(STATUS_SHARES.values()))
        risks = rng.choice(list(RISK_SHARES), size=n, p=list(RISK_SHARES.values()))
        # Recent cases are still early in the workflow; closed ones are older.
        age_days = np.where(
            np.isin(statuses, ["registered", "assessed", "case_plan"]),
            rng.uniform(0, 60, size=n),
            rng.uniform(30, 3 * 365, size=n),
        )
        unassigned = (rng.random(n) < 0.03) & (statuses == "registered")
        second_worker = rng.random(n) < 0.1

        def worker_pk(i: int, which: np.ndarray) -> int:
            return int(workers[org_of[i], which[i]])

        children: list[Child] = []
        for i in range(n):
            g, f = given_pool[given[i]], family_pool[family[i]]
            full = f"{g} {f}"
            children.append(
                Child(
                    organisation_id=int(org_ids[org_of[i]]),
                    given_name=g,
                    family_name=f,
                    nickname=given_pool[nick[i]] if nick[i] >= 0 else "",
                    phone=f"0{phones[i]}" if has_phone[i] else "",
                    narrative="Synthetic benchmark record; no real person.",
                    name_index=exact_index(full, "child-name"),
                    phone_index=phone_index(f"0{phones[i]}") if has_phone[i] else "",
                    name_token_version=1,
                    sex=str(sex[i]),
                    birth_year=int(birth_year[i]),
                    county_id=counties[county_of[i]].pk,
                    sub_county_id=(
                        subs[counties[county_of[i]].pk][
                            sub_pick[i] % len(subs[counties[county_of[i]].pk])
                        ]
                        if subs[counties[county_of[i]].pk]
                        else None
                    ),
                    created_by_id=worker_pk(i, worker_of),
                    created_at=now - timedelta(days=float(age_days[i])),
                )
            )
        Child.objects.bulk_create(children, batch_size=BATCH)

        token_rows: list[ChildNameToken] = []
        for i, child in enumerate(children):
            for token in tokens(f"{child.given_name} {child.family_name}"):
                token_rows.append(
                    ChildNameToken(child_id=child.pk, kind=TokenKind.NAME, token=token)
                )
            if nick[i] >= 0:
                for token in tokens(child.nickname):
                    token_rows.append(
                        ChildNameToken(child_id=child.pk, kind=TokenKind.NICKNAME, token=token)
                    )
        ChildNameToken.objects.bulk_create(token_rows, batch_size=20_000)
        del token_rows

        cases: list[Case] = []
        seq = dict.fromkeys(range(N_ORGS), 0)
        for i, child in enumerate(children):
            seq[org_of[i]] += 1
            registered_at = now - timedelta(days=float(age_days[i]))
            status, risk = str(statuses[i]), str(risks[i])
            first_contact = {"high": 1, "medium": 3, "low": 7}[risk]
            cadence = {"high": 7, "medium": 14, "low": 30}[risk]
            early = status in ("registered", "assessed", "case_plan")
            case = Case(
                number=f"{ORG_PREFIX}{org_of[i] + 1}-{registered_at.year}-{seq[org_of[i]]:06d}",
                organisation_id=int(org_ids[org_of[i]]),
                child_id=child.pk,
                status=status,
                risk=risk,
                registered_by_id=worker_pk(i, worker_of if registrar_same[i] else other_worker),
                updated_by_id=worker_pk(i, worker_of),
                registered_at=registered_at,
                updated_at=registered_at,
                closed_at=registered_at + timedelta(days=200) if status == "closed" else None,
            )
            if status == "registered":
                if unassigned[i]:
                    case.assignment_due = registered_at + timedelta(hours=24)
                if age_days[i] < 10:
                    case.first_contact_due = registered_at + timedelta(days=first_contact)
                case.assessment_due = registered_at + timedelta(days=14)
            if early and status != "case_plan":
                case.plan_due = registered_at + timedelta(days=14)
            if status in ("in_progress", "reopened", "case_plan", "closing", "transferred"):
                case.next_follow_up_due = now + timedelta(
                    days=float(rng.uniform(-cadence / 2, cadence))
                )
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=BATCH)

        assignments: list[CaseAssignment] = []
        for i, case in enumerate(cases):
            if unassigned[i]:
                continue
            worker = worker_pk(i, worker_of)
            assignments.append(
                CaseAssignment(
                    case_id=case.pk,
                    user_id=worker,
                    assigned_by_id=worker,
                    assigned_at=case.registered_at,
                )
            )
            if second_worker[i] and other_worker[i] != worker_of[i]:
                assignments.append(
                    CaseAssignment(
                        case_id=case.pk,
                        user_id=worker_pk(i, other_worker),
                        assigned_by_id=worker,
                        assigned_at=case.registered_at,
                    )
                )
        # Counsellors: a few hundred cases each referred to them inside the organisation.
        counselled = rng.choice(n, size=2_000, replace=False)
        for i in counselled:
            for pk in counsellors[int(org_of[i]) + 1][:1]:
                assignments.append(
                    CaseAssignment(
                        case_id=cases[i].pk,
                        user_id=pk,
                        assigned_by_id=worker_pk(i, worker_of),
                        assigned_at=cases[i].registered_at,
                    )
                )
        CaseAssignment.objects.bulk_create(assignments, batch_size=BATCH, ignore_conflicts=True)
        del assignments

        open_idx = np.flatnonzero(~np.isin(statuses, ["closed"]))
        service_idx = rng.choice(open_idx, size=40_000)
        planned = rng.random(len(service_idx)) < 0.3
        Service.objects.bulk_create(
            [
                Service(
                    case_id=cases[i].pk,
                    service_type="school",
                    sub_type="fees",
                    organisation_id=int(org_ids[org_of[i]]),
                    provided_by_id=worker_pk(i, worker_of),
                    delivered_on=None if planned[k] else today - timedelta(days=int(k % 300)),
                    due_on=today + timedelta(days=int(k % 40) - 20) if planned[k] else None,
                    recorded_at=cases[i].registered_at,
                )
                for k, i in enumerate(service_idx)
            ],
            batch_size=BATCH,
        )
        plan_idx = np.flatnonzero(np.isin(statuses, ["in_progress", "reopened", "closing"]))
        plans = CasePlan.objects.bulk_create(
            [
                CasePlan(
                    case_id=cases[i].pk,
                    status="approved",
                    created_by_id=worker_pk(i, worker_of),
                    created_at=cases[i].registered_at,
                    submitted_at=cases[i].registered_at,
                )
                for i in plan_idx
            ],
            batch_size=BATCH,
        )
        goals = Goal.objects.bulk_create(
            [Goal(plan_id=plan.pk, domain="education") for plan in plans], batch_size=BATCH
        )
        PlanAction.objects.bulk_create(
            [
                PlanAction(
                    goal_id=goal.pk,
                    responsible_id=worker_pk(i, worker_of),
                    due_on=today + timedelta(days=int(k % 90) - 30),
                    status="open" if k % 3 else "done",
                )
                for k, (goal, i) in enumerate(zip(goals, plan_idx, strict=True))
            ],
            batch_size=BATCH,
        )
        referral_idx = rng.choice(open_idx, size=10_000, replace=False)
        referral_status = rng.choice(
            ["sent", "accepted", "declined", "completed"], size=len(referral_idx)
        )
        Referral.objects.bulk_create(
            [
                Referral(
                    case_id=cases[i].pk,
                    from_organisation_id=int(org_ids[org_of[i]]),
                    to_organisation_id=health.pk,
                    service_type="medical",
                    share_groups=["identity", "summary", "health"],
                    status=str(referral_status[k]),
                    sent_by_id=worker_pk(i, worker_of),
                    sent_at=now - timedelta(days=int(k % 60)),
                    response_due=now - timedelta(days=int(k % 60)) + timedelta(days=3),
                )
                for k, i in enumerate(referral_idx)
            ],
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:  # the steady state: statistics and visibility map
        cursor.execute("VACUUM ANALYZE")


# -- measuring ---------------------------------------------------------------------------


def _median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    for _ in range(3):
        work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def _queries(work: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured.captured_queries)


def _get(client: Any, url: str) -> Callable[[], Any]:
    def work() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return work


def _post_json(client: Any, url: str, body: dict[str, Any]) -> Callable[[], Any]:
    def work() -> Any:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, (url, response.status_code)
        return response

    return work


def _asset_bytes(html: str) -> int:
    from bench.bench_pages import _asset_bytes as assets

    return assets(html)


def _showcase_case(worker: Any, supervisor: Any) -> Any:
    """One case walked through the real services, so its page has something on it."""
    from django.utils import timezone

    from kinga.cases import services
    from kinga.geo.models import County

    kwale = County.objects.get(code="002")
    case = services.case_register(
        actor=worker,
        given_name="Mwanajuma",
        family_name="Baraka",
        nickname="Juma",
        sex="female",
        birth_year=timezone.localdate().year - 14,
        county=kwale,
        phone="0712 345 678",
        narrative="Synthetic benchmark account; no real person. " * 8,
        risk="high",
        categories=["sexual_exploitation", "online_grooming"],
    )
    services.consent_record(
        actor=worker,
        case=case,
        child_assent="given",
        caregiver_consent=True,
        scope_sharing=["health_facility", "police_unit", "ngo"],
    )
    case.refresh_from_db()
    services.case_assess(
        actor=worker, case=case, kind="comprehensive", risk="high", expected_version=case.version
    )
    case.refresh_from_db()
    plan = services.case_plan_submit(
        actor=worker,
        case=case,
        expected_version=case.version,
        goals=[
            {
                "domain": domain,
                "description": "Synthetic goal for the benchmark.",
                "actions": [
                    {
                        "description": "Synthetic action.",
                        "responsible": worker,
                        "due_on": timezone.localdate() + timedelta(days=10 + k),
                    }
                ],
            }
            for k, domain in enumerate(("education", "health", "safety"))
        ],
    )
    case.refresh_from_db()
    services.case_plan_approve(actor=supervisor, plan=plan, expected_version=case.version)
    for k in range(5):
        case.refresh_from_db()
        services.service_record(
            actor=worker,
            case=case,
            service_type="school",
            sub_type="fees",
            delivered_on=timezone.localdate() - timedelta(days=k),
        )
    for _ in range(5):
        case.refresh_from_db()
        services.follow_up_record(
            actor=worker,
            case=case,
            kind="home_visit",
            happened_at=timezone.now(),
            risk_after="medium",
            expected_version=case.version,
        )
    case.refresh_from_db()
    return case


def _measure() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from kinga.accounts.models import User
    from kinga.cases import selectors
    from kinga.cases.models import Case, Child
    from kinga.core.testing import client_for
    from kinga.geo.models import County

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seeded = False
    if not _bench_loaded():
        _seed()
        seeded = True
    seed_seconds = round(time.perf_counter() - started, 1)

    worker = User.objects.get(email="worker7@bn1.bench.example")
    supervisor = User.objects.get(email="supervisor0@bn1.bench.example")
    counsellor = User.objects.get(email="counsellor0@bn1.bench.example")
    client = client_for(worker)
    boss = client_for(supervisor)
    results: dict[str, Any] = {
        "data": {
            "cases": Case.objects.count(),
            "children": Child.objects.count(),
            "worker_visible_cases": selectors.cases_visible_to(worker).count(),
            "supervisor_visible_cases": selectors.cases_visible_to(supervisor).count(),
            "counsellor_visible_cases": selectors.cases_visible_to(counsellor).count(),
            "seeded_this_run": seeded,
            "setup_seconds": seed_seconds,
        }
    }

    # (a) the case list, through the real view and the API, for a worker and a supervisor
    lists = {
        "worker_status_risk": (client, "/cases/?status=in_progress&risk=high"),
        "worker_status": (client, "/cases/?status=in_progress"),
        "worker_unfiltered": (client, "/cases/"),
        "worker_page_3": (client, "/cases/?status=closed&page=3"),
        "worker_number_search": (client, f"/cases/?q={ORG_PREFIX}1-20"),
        "worker_api": (client, "/api/v1/cases/?status=in_progress&risk=high"),
        "supervisor_status_risk": (boss, "/cases/?status=in_progress&risk=high"),
        "supervisor_unfiltered": (boss, "/cases/"),
    }
    case_list: dict[str, Any] = {}
    for name, (who, url) in lists.items():
        work = _get(who, url)
        case_list[name] = {"url": url, "median_ms": _median_ms(work), "queries": _queries(work)}
    results["case_list"] = case_list
    worker_lists = [v for k, v in case_list.items() if k.startswith("worker")]

    # (b) my tasks: the selector, and the API endpoint that serves it
    results["my_tasks"] = {
        "selector_ms": _median_ms(lambda: selectors.tasks_for(worker)),
        "selector_tasks": len(selectors.tasks_for(worker)),
        "api_ms": _median_ms(_get(client, "/api/v1/tasks/")),
        "api_queries": _queries(_get(client, "/api/v1/tasks/")),
        "supervisor_selector_ms": _median_ms(lambda: selectors.tasks_for(supervisor)),
    }

    # (c) duplicate check: a misspelt re-registration of a child the worker already has
    mine = (
        selectors.cases_visible_to(worker).select_related("child").order_by("registered_at").first()
    )
    assert mine is not None
    known = mine.child
    kwale = County.objects.get(pk=known.county_id)
    misspelt = known.given_name[:-1] + known.given_name[-1] * 2 + " " + known.family_name
    check = {
        "name": misspelt,
        "nickname": "",
        "birth_year": known.birth_year,
        "county_id": kwale.pk,
        "phone": "",
    }
    found = selectors.duplicates_for(worker, **check)
    page_shape = {k: v for k, v in check.items() if k != "birth_year"}  # the register form
    common = {"name": "Mwanajuma Baraka", "county_id": kwale.pk, "phone": "0712 345 678"}
    results["duplicate_check"] = {
        "planted_ranks_first": bool(found) and found[0].case_public_id == mine.public_id,
        "worker_ms": _median_ms(lambda: selectors.duplicates_for(worker, **check)),
        "worker_register_form_ms": _median_ms(
            lambda: selectors.duplicates_for(worker, **page_shape)
        ),
        "worker_common_name_ms": _median_ms(lambda: selectors.duplicates_for(worker, **common)),
        "supervisor_ms": _median_ms(lambda: selectors.duplicates_for(supervisor, **check)),
        "supervisor_common_name_ms": _median_ms(
            lambda: selectors.duplicates_for(supervisor, **common)
        ),
        "api_ms": _median_ms(
            _post_json(
                client,
                "/api/v1/cases/duplicates/",
                {"name": misspelt, "birth_year": known.birth_year, "county": kwale.code},
            )
        ),
    }

    # (d) the case page's weight, and its time, on a case with a full history
    with transaction.atomic():
        case = _showcase_case(worker, supervisor)
        page = client.get(f"/cases/{case.public_id}/")
        assert page.status_code == 200, page.status_code
        html = page.content.decode()
        assets = _asset_bytes(html)
        list_page = client.get("/cases/")
        results["case_page"] = {
            "html": len(page.content),
            "assets": assets,
            "total": len(page.content) + assets,
            "median_ms": _median_ms(_get(client, f"/cases/{case.public_id}/"), runs=10),
            "queries": _queries(_get(client, f"/cases/{case.public_id}/")),
            "case_list_total": len(list_page.content) + _asset_bytes(list_page.content.decode()),
        }
        transaction.set_rollback(True)

    worst_list_ms = max(v["median_ms"] for v in worker_lists)
    worst_list_queries = max(v["queries"] for v in worker_lists)
    tasks_ms = max(results["my_tasks"]["selector_ms"], results["my_tasks"]["api_ms"])
    duplicate = results["duplicate_check"]
    duplicate_ms = max(
        duplicate[k]
        for k in (
            "worker_ms",
            "worker_register_form_ms",
            "worker_common_name_ms",
            "supervisor_ms",
            "supervisor_common_name_ms",
            "api_ms",
        )
    )
    measured = {
        "case_list_ms": worst_list_ms,
        "case_list_queries": worst_list_queries,
        "my_tasks_ms": tasks_ms,
        "duplicate_check_ms": duplicate_ms,
        "case_page_bytes": results["case_page"]["total"],
    }
    results["budgets"] = {
        name: {"budget": budget, "measured": measured[name], "pass": measured[name] <= budget}
        for name, budget in BUDGETS.items()
    }
    results["within_budget"] = all(v["pass"] for v in results["budgets"].values())
    results["database"] = connection.settings_dict["NAME"]
    results["load_average_1m"] = round(os.getloadavg()[0], 2)  # medians are noisy when busy
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
