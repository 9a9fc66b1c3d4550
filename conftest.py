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
def cast(db):  # noqa: ANN001, ANN201
    from kinga.core.testing import make_cast

    return make_cast()
