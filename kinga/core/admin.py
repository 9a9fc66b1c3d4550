"""A ModelAdmin base whose every save and delete writes an audit event, so changes a
system admin makes in the Django admin are in the same trail as everything else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            target=obj,
            fields=sorted(form.changed_data),
            request=request,
            detail={"via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=AuditAction.DELETE,
            target=obj,
            request=request,
            detail={"via": "admin"},
        )
        super().delete_model(request, obj)
