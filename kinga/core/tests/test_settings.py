"""Start-up refuses unsafe configuration and says which variable is wrong."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kinga.core.env import env_bool, env_int, parse_database_url
from kinga.vault.keyring import new_key_text

GOOD = {
    "KINGA_SECRET_KEY": "x" * 20 + new_key_text() + "y" * 10,
    "KINGA_FIELD_KEYS": f"k1:{new_key_text()}",
    "KINGA_INDEX_KEY": new_key_text(),
    "KINGA_ALLOWED_HOSTS": "kinga.example",
}


def _start(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINGA_")}
    env.update({"KINGA_ENV": "production", **GOOD, **overrides})
    env = {k: v for k, v in env.items() if v is not None}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kinga.settings'; django.setup()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_starts_with_real_secrets():
    result = _start()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"KINGA_SECRET_KEY": None}, "KINGA_SECRET_KEY"),
        ({"KINGA_SECRET_KEY": "short"}, "KINGA_SECRET_KEY"),
        ({"KINGA_FIELD_KEYS": None}, "KINGA_FIELD_KEYS"),
        ({"KINGA_FIELD_KEYS": "k1:notbase64!!"}, "KINGA_FIELD_KEYS"),
        ({"KINGA_INDEX_KEY": None}, "KINGA_INDEX_KEY"),
        ({"KINGA_DEBUG": "maybe"}, "KINGA_DEBUG"),
        ({"KINGA_DEBUG": "true"}, "KINGA_DEBUG"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"KINGA_FIELD_KEYS": "test1:" + "A" * 43}, "KINGA_FIELD_KEYS"),
    ],
)
def test_production_refuses_to_start_and_names_the_variable(overrides, variable):
    result = _start(**overrides)
    assert result.returncode != 0
    assert variable in result.stderr


def test_the_kinga_command_reports_a_bad_key_in_one_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINGA_")}
    env.update({"KINGA_ENV": "production", **GOOD, "KINGA_INDEX_KEY": "abc"})
    result = subprocess.run(
        [sys.executable, "-m", "kinga.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("kinga: KINGA_INDEX_KEY")


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_int_refuses_words_and_small_numbers(monkeypatch):
    monkeypatch.setenv("X_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_N"):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_N", 5, minimum=1)


def test_database_urls_are_parsed_strictly():
    pg = parse_database_url(
        "DATABASE_URL", "postgres://u:p%40ss@db.example:5433/kinga?sslmode=require", base_dir="/srv"
    )
    assert (pg.engine, pg.name, pg.user, pg.password, pg.host, pg.port) == (
        "django.db.backends.postgresql",
        "kinga",
        "u",
        "p@ss",
        "db.example",
        "5433",
    )
    assert pg.options == {"sslmode": "require", "options": "-c jit=off"}
    assert (
        parse_database_url("D", "sqlite:///var/k.sqlite3", base_dir="/srv").name
        == "/srv/var/k.sqlite3"
    )
    assert (
        parse_database_url("D", "sqlite:////tmp/k.sqlite3", base_dir="/srv").name
        == "/tmp/k.sqlite3"
    )
    with pytest.raises(ImproperlyConfigured, match="must name a database"):
        parse_database_url("DATABASE_URL", "postgres://h/", base_dir="/srv")


def test_production_sends_secure_cookies_and_hsts():
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINGA_")}
    env.update({"KINGA_ENV": "production", **GOOD})
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='kinga.settings'; "
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.DEBUG, s.KINGA_REQUIRE_MFA)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["True", "True", "31536000", "False", "True"]
