"""Domain errors: an action that is not allowed in the record's current state."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """Raised by services for illegal transitions; pages show it, the API answers 409."""

    code = "conflict"

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code


class StaleEdit(DomainError):
    code = "stale_edit"
