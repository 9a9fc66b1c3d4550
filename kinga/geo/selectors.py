"""Reads of the geography tables. Geography is public reference data: no visibility rules."""

from __future__ import annotations

from functools import cache

from django.db.models import Exists, OuterRef, QuerySet

from kinga.geo.models import County, Hotspot, SubCounty, Ward

# A <select> with one <optgroup> per county: (county name, ((sub-county id, name), …)).
GroupedChoices = tuple[tuple[str, tuple[tuple[int, str], ...]], ...]


def counties() -> QuerySet[County]:
    """All counties, in IEBC code order (001 Mombasa … 047 Nairobi)."""
    return County.objects.order_by("code")


def sub_counties_of(county: County) -> QuerySet[SubCounty]:
    return SubCounty.objects.filter(county=county).order_by("name")


def wards_of(sub_county: SubCounty) -> QuerySet[Ward]:
    return Ward.objects.filter(sub_county=sub_county).order_by("name")


def coastal_counties() -> QuerySet[County]:
    """Counties whose sub-counties are loaded — the programme area (Mombasa, Kwale, Kilifi)."""
    return counties().filter(Exists(SubCounty.objects.filter(county=OuterRef("pk"))))


def hotspots() -> QuerySet[Hotspot]:
    return Hotspot.objects.select_related("sub_county__county", "ward").order_by("name")


@cache
def choices_for_forms() -> GroupedChoices:
    """Grouped choices for a sub-county ``<select>``: one optgroup per county.

    Computed once per process (the hierarchy changes only with a deploy); call
    ``choices_for_forms.cache_clear()`` after changing it in a running process. Pass the
    function itself, not its result, as a field's ``choices`` so that importing a forms
    module never queries the database: ``forms.ChoiceField(choices=choices_for_forms)``.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = SubCounty.objects.order_by("county__code", "name").values_list(
        "pk", "name", "county__name"
    )
    for pk, name, county_name in rows:
        groups.setdefault(county_name, []).append((pk, name))
    return tuple((county_name, tuple(options)) for county_name, options in groups.items())
