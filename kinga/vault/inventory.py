"""Where sealed values live: every concrete model column that is a SealedTextField.

Rotation and the key-usage report both walk this list, and both read the stored
(sealed) text through ``raw_value`` — a ``Cast`` to plain text, so the field's
``from_db_value`` never runs and nothing is decrypted unless the caller asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from kinga.vault.fields import SealedTextField


@dataclass(frozen=True)
class SealedColumn:
    model: type[models.Model]
    field: SealedTextField

    @property
    def label(self) -> str:
        """``app_label.model.field``, the name used in reports."""
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def context(self) -> str:
        return self.field.context

    def raw_value(self) -> Cast:
        """An expression for the stored text, bypassing decryption."""
        return Cast(models.F(self.field.attname), output_field=models.TextField())


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column once, on the model whose table holds it, in a stable order."""
    columns: list[SealedColumn] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, SealedTextField):
                columns.append(SealedColumn(model=model, field=field))
    return sorted(columns, key=lambda column: column.label)


def sealed_columns_by_model() -> dict[type[models.Model], list[SealedColumn]]:
    grouped: dict[type[models.Model], list[SealedColumn]] = {}
    for column in sealed_columns():
        grouped.setdefault(column.model, []).append(column)
    return grouped
