"""The audit log in Django's admin: for system admins to look, never to touch."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kinga.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "seq",
        "at",
        "actor_label",
        "organisation",
        "action",
        "outcome",
        "target_type",
        "target_id",
    )
    list_filter = ("action", "outcome", "target_type", "organisation")
    search_fields = ("=target_id", "actor_label")
    list_select_related = ("organisation",)
    ordering = ("-seq",)
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    raw_id_fields = ("actor", "record_owner", "organisation")
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
