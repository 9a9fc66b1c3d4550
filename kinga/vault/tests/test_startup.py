"""Production refuses to start without valid keys, and says which variable is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinga.vault.keyring import new_key_text

ROOT = Path(__file__).resolve().parents[3]
SECRET_KEY = "production-like-secret-key-for-the-start-up-test-only-0123456789abcdef"


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KINGA_")}
    clean.pop("DATABASE_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="kinga.settings",
        KINGA_ENV="production",
        KINGA_SECRET_KEY=SECRET_KEY,
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


GOOD_FIELD = f"k1:{new_key_text()}"
GOOD_INDEX = new_key_text()


def test_it_starts_in_production_with_good_keys() -> None:
    result = start(KINGA_FIELD_KEYS=GOOD_FIELD, KINGA_INDEX_KEY=GOOD_INDEX)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "KINGA_FIELD_KEYS"),
        ({"KINGA_INDEX_KEY": GOOD_INDEX}, "KINGA_FIELD_KEYS"),
        ({"KINGA_FIELD_KEYS": GOOD_FIELD}, "KINGA_INDEX_KEY"),
        ({"KINGA_FIELD_KEYS": "k1:tooshort", "KINGA_INDEX_KEY": GOOD_INDEX}, "KINGA_FIELD_KEYS"),
        ({"KINGA_FIELD_KEYS": GOOD_FIELD, "KINGA_INDEX_KEY": "%%%"}, "KINGA_INDEX_KEY"),
        (
            {"KINGA_FIELD_KEYS": "test1:" + "A" * 43, "KINGA_INDEX_KEY": "B" * 43},
            "KINGA_FIELD_KEYS",
        ),
    ],
)
def test_it_refuses_to_start_in_production_without_good_keys(
    env: dict[str, str], variable: str
) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]
    for value in env.values():
        if len(value) > 20:
            assert value.split(":")[-1] not in result.stderr
