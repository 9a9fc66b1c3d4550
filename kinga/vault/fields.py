"""Model fields whose values are sealed at rest.

``SealedTextField`` stores ``crypto.seal`` output and hands Python code plaintext.
Sealed columns cannot be searched or ordered in SQL; pair them with a blind-index
column (``BlindIndexField``) filled by the service that writes the value.

Each value is bound to its field's *context* — ``<app>.<model>.<field>``, lower case —
so renaming the app, model or field would make stored values unopenable. Pin the old
context with ``SealedTextField(seal_context="accounts.user.mfa_secret")`` when renaming.

Reading a value that cannot be opened (wrong key, tampering, a key removed from the
ring too early) raises ``SealError`` naming the field and key id: loud, never garbage.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from kinga.vault import crypto


class SealedTextField(models.TextField):
    description = "Text sealed with AES-256-GCM"

    def __init__(self, *args: Any, seal_context: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        self.seal_context = seal_context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.seal_context:
            kwargs["seal_context"] = self.seal_context
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        """The associated data every value of this field is sealed with."""
        return self.seal_context or f"{self.model._meta.label_lower}.{self.name}"

    def _context(self) -> str:  # kept for callers written against the first version
        return self.context

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.unseal(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.seal(str(value), context=self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        # Only "is null" makes sense on ciphertext; anything else would silently match nothing.
        if lookup_name != "isnull":
            raise TypeError(
                f"sealed fields cannot be searched with {lookup_name!r}; use a blind index"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        # lower(), unaccent() and friends on ciphertext are as meaningless as lookups.
        raise TypeError(f"sealed fields cannot be transformed with {lookup_name!r}")


class BlindIndexField(models.CharField):
    description = "HMAC-SHA256 blind index"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)
