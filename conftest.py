"""Project-wide pytest configuration: where the shared reference data lives."""

from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE_DIR}")
    return REFERENCE_DIR


@pytest.fixture
def cast(db):
    from kinga.core.testing import make_cast

    return make_cast()


def pytest_configure(config):
    """Compile the Swahili catalogue when it is missing or stale (``make`` does the same),
    so a bare ``pytest`` run sees the current translations. Only the controlling process
    does it, never each xdist worker."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    locale = Path(__file__).resolve().parent / "kinga" / "locale" / "sw" / "LC_MESSAGES"
    po, mo = locale / "django.po", locale / "django.mo"
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        import subprocess

        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
