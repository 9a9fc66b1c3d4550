"""Secrets for a developer's laptop, made once and kept in ``var/dev-secrets.env``.

Only used when ``KINGA_ENV=development``; production must pass real secrets through
the environment and refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kinga.vault.keyring import new_key_text


def load_or_create(path: Path) -> dict[str, str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        values = {
            "KINGA_SECRET_KEY": secrets.token_urlsafe(50),
            "KINGA_FIELD_KEYS": f"dev1:{new_key_text()}",
            "KINGA_INDEX_KEY": new_key_text(),
        }
        body = "".join(f"{name}={value}\n" for name, value in values.items())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Development-only secrets made by Kinga. Never use in production.\n")
            handle.write(body)
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values
