"""Geography in the admin, for system admins: browse and search, extend with care.

Counties are fixed by the Constitution and loaded by a migration, so they are read-only
here. Sub-counties, wards and hotspots can be added (the hierarchy is data), but not
deleted from the admin: case, activity and account rows point at them.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kinga.core.admin import AuditedModelAdmin
from kinga.geo.models import County, Hotspot, SubCounty, Ward


class _NoDeleteAdmin(AuditedModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(County)
class CountyAdmin(_NoDeleteAdmin):
    list_display = ["code", "name", "sub_county_count"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[County]:
        return super().get_queryset(request).annotate(_sub_county_count=Count("sub_counties"))

    @admin.display(description=_("sub-counties"), ordering="_sub_county_count")
    def sub_county_count(self, obj: County) -> int:
        return obj._sub_county_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SubCounty)
class SubCountyAdmin(_NoDeleteAdmin):
    list_display = ["name", "county"]
    list_filter = ["county"]
    list_select_related = ["county"]
    search_fields = ["name", "county__name"]
    autocomplete_fields = ["county"]


@admin.register(Ward)
class WardAdmin(_NoDeleteAdmin):
    list_display = ["name", "sub_county", "county"]
    list_filter = ["sub_county__county"]
    list_select_related = ["sub_county__county"]
    search_fields = ["name", "sub_county__name"]
    autocomplete_fields = ["sub_county"]

    @admin.display(description=_("county"), ordering="sub_county__county__code")
    def county(self, obj: Ward) -> County:
        return obj.sub_county.county


@admin.register(Hotspot)
class HotspotAdmin(_NoDeleteAdmin):
    list_display = ["name", "sub_county", "ward"]
    list_filter = ["sub_county__county"]
    list_select_related = ["sub_county__county", "ward"]
    search_fields = ["name", "sub_county__name", "ward__name"]
    autocomplete_fields = ["sub_county", "ward"]
