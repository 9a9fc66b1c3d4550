"""Model fields whose values are sealed at rest.

``SealedTextField`` stores ``crypto.seal`` output and hands Python code plaintext.
Sealed columns cannot be searched or ordered in SQL; pair them with a blind-index
column (``BlindIndexField``) filled by the service that writes the value.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from kinga.vault import crypto


class SealedTextField(models.TextField):
    description = "Text sealed with AES-256-GCM"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.unseal(value, context=self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.seal(str(value), context=self._context())

    def get_lookup(self, lookup_name: str) -> Any:
        # Only "is null" makes sense on ciphertext; anything else would silently match nothing.
        if lookup_name != "isnull":
            raise TypeError(f"sealed fields cannot be searched with {lookup_name!r}; use a blind index")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    description = "HMAC-SHA256 blind index"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)
