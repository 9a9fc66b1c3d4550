"""Strict readers for settings that come from environment variables.

Each helper refuses a value it cannot understand instead of guessing, so a typo in a
deployment's environment stops the process at start-up with the variable's name
rather than running with a silently wrong setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict[str, str] | None = None

    def as_django(self) -> dict[str, object]:
        config: dict[str, object] = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 60 if self.engine.endswith("postgresql") else 0,
            "OPTIONS": dict(self.options or {}),
        }
        if self.engine.endswith("sqlite3"):
            # WAL lets the worker and the web process read while the other writes.
            config["OPTIONS"] = {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                **config["OPTIONS"],  # type: ignore[dict-item]
            }
        return config


def parse_database_url(name: str, url: str, *, base_dir: str) -> DatabaseConfig:
    """Parse ``sqlite:///relative/path``, ``sqlite:////abs/path`` or ``postgres://…``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ImproperlyConfigured(
                f"{name} needs a file path, e.g. sqlite:///var/kinga.sqlite3"
            )
        if path == "/:memory:":
            return DatabaseConfig(engine="django.db.backends.sqlite3", name=":memory:")
        # sqlite:///var/x → relative "var/x"; sqlite:////abs/x → "/abs/x"
        relative = path[1:]
        resolved = relative if os.path.isabs(relative) else os.path.join(base_dir, relative)
        return DatabaseConfig(engine="django.db.backends.sqlite3", name=resolved)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(
                f"{name} must name a database, e.g. postgres://u@h:5432/kinga"
            )
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        # JIT compilation costs tens of milliseconds on the short queries a case worker's
        # pages make and never pays back; a URL that sets its own ``options`` wins.
        options.setdefault("options", "-c jit=off")
        return DatabaseConfig(
            engine="django.db.backends.postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(parts.port or ""),
            options=options,
        )
    raise ImproperlyConfigured(
        f"{name} must start with sqlite:// or postgres://, not {parts.scheme or url!r}"
    )
