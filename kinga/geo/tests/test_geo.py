"""Kenya's geography as loaded by migration 0002, and the geo selectors.

The expected lists below are copied from ../shared/DOMAIN.md ("Geography") and the
Constitution's First Schedule, independently of ``data/kenya.json``.
"""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.apps import apps as django_apps
from django.contrib import admin
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import RequestFactory

from kinga.geo import selectors
from kinga.geo.loading import LoadResult, load_kenya, read_data
from kinga.geo.models import County, Hotspot, SubCounty, Ward

COUNTIES = {
    "001": "Mombasa",
    "002": "Kwale",
    "003": "Kilifi",
    "004": "Tana River",
    "005": "Lamu",
    "006": "Taita-Taveta",
    "007": "Garissa",
    "008": "Wajir",
    "009": "Mandera",
    "010": "Marsabit",
    "011": "Isiolo",
    "012": "Meru",
    "013": "Tharaka-Nithi",
    "014": "Embu",
    "015": "Kitui",
    "016": "Machakos",
    "017": "Makueni",
    "018": "Nyandarua",
    "019": "Nyeri",
    "020": "Kirinyaga",
    "021": "Murang'a",
    "022": "Kiambu",
    "023": "Turkana",
    "024": "West Pokot",
    "025": "Samburu",
    "026": "Trans Nzoia",
    "027": "Uasin Gishu",
    "028": "Elgeyo-Marakwet",
    "029": "Nandi",
    "030": "Baringo",
    "031": "Laikipia",
    "032": "Nakuru",
    "033": "Narok",
    "034": "Kajiado",
    "035": "Kericho",
    "036": "Bomet",
    "037": "Kakamega",
    "038": "Vihiga",
    "039": "Bungoma",
    "040": "Busia",
    "041": "Siaya",
    "042": "Kisumu",
    "043": "Homa Bay",
    "044": "Migori",
    "045": "Kisii",
    "046": "Nyamira",
    "047": "Nairobi",
}

SUB_COUNTIES = {
    "Mombasa": {"Changamwe", "Jomvu", "Kisauni", "Nyali", "Likoni", "Mvita"},
    "Kwale": {"Msambweni", "Lunga Lunga", "Matuga", "Kinango"},
    "Kilifi": {
        "Kilifi North",
        "Kilifi South",
        "Kaloleni",
        "Rabai",
        "Ganze",
        "Malindi",
        "Magarini",
    },
}

# (county, sub-county) -> wards DOMAIN.md lists there.
WARDS = {
    ("Mombasa", "Changamwe"): {"Port Reitz", "Kipevu", "Airport", "Changamwe", "Chaani"},
    ("Mombasa", "Jomvu"): {"Jomvu Kuu", "Miritini", "Mikindani"},
    ("Mombasa", "Kisauni"): {
        "Mjambere",
        "Junda",
        "Bamburi",
        "Mwakirunge",
        "Mtopanga",
        "Magogoni",
        "Shanzu",
    },
    ("Mombasa", "Nyali"): {"Frere Town", "Ziwa la Ng'ombe", "Mkomani", "Kongowea", "Kadzandani"},
    ("Mombasa", "Likoni"): {"Mtongwe", "Shika Adabu", "Bofu", "Likoni", "Timbwani"},
    ("Mombasa", "Mvita"): {
        "Mji wa Kale/Makadara",
        "Tudor",
        "Tononoka",
        "Shimanzi/Ganjoni",
        "Majengo",
    },
    ("Kwale", "Msambweni"): {"Gombato Bongwe", "Ukunda", "Kinondo", "Ramisi"},
    ("Kwale", "Lunga Lunga"): {"Pongwe/Kikoneni", "Dzombo", "Mwereni", "Vanga"},
    ("Kwale", "Matuga"): {"Tsimba Golini", "Waa", "Tiwi", "Kubo South", "Mkongani"},
    ("Kwale", "Kinango"): {
        "Ndavaya",
        "Puma",
        "Kinango",
        "Mackinnon Road",
        "Chengoni/Samburu",
        "Mwavumbo",
        "Kasemeni",
    },
    ("Kilifi", "Kilifi North"): {
        "Tezo",
        "Sokoni",
        "Kibarani",
        "Dabaso",
        "Matsangoni",
        "Watamu",
        "Mnarani",
    },
    ("Kilifi", "Kilifi South"): {"Junju", "Mwarakaya", "Shimo la Tewa", "Chasimba", "Mtepeni"},
    ("Kilifi", "Malindi"): {"Jilore", "Kakuyuni", "Ganda", "Malindi Town", "Shella"},
}

# hotspot -> (county, sub-county, ward or None)
HOTSPOTS = {
    "Ukunda": ("Kwale", "Msambweni", "Ukunda"),
    "Lunga Lunga": ("Kwale", "Lunga Lunga", None),
    "Mtwapa": ("Kilifi", "Kilifi South", "Shimo la Tewa"),
    "Watamu": ("Kilifi", "Kilifi North", "Watamu"),
    "Malindi": ("Kilifi", "Malindi", "Malindi Town"),
}


def _counts() -> tuple[int, int, int, int]:
    return (
        County.objects.count(),
        SubCounty.objects.count(),
        Ward.objects.count(),
        Hotspot.objects.count(),
    )


@pytest.fixture
def fresh_choices():
    selectors.choices_for_forms.cache_clear()
    yield
    selectors.choices_for_forms.cache_clear()


# --- the data the migration loaded ------------------------------------------------------


@pytest.mark.django_db
def test_all_47_counties_are_loaded_with_their_iebc_codes():
    assert dict(County.objects.values_list("code", "name")) == COUNTIES
    assert sorted(County.objects.values_list("code", flat=True)) == [
        f"{n:03d}" for n in range(1, 48)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("county", sorted(SUB_COUNTIES))
def test_a_coastal_county_has_exactly_the_listed_sub_counties(county):
    names = set(SubCounty.objects.filter(county__name=county).values_list("name", flat=True))
    assert names == SUB_COUNTIES[county]


@pytest.mark.django_db
def test_only_the_coastal_counties_have_sub_counties():
    with_subs = set(SubCounty.objects.values_list("county__name", flat=True).distinct().order_by())
    assert with_subs == set(SUB_COUNTIES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("place", "wards"),
    sorted(WARDS.items()),
    ids=lambda v: "/".join(v) if isinstance(v, tuple) else ",".join(sorted(v)),
)
def test_each_listed_ward_sits_under_its_sub_county(place, wards):
    county, sub_county = place
    found = set(
        Ward.objects.filter(
            sub_county__county__name=county, sub_county__name=sub_county
        ).values_list("name", flat=True)
    )
    assert found >= wards
    # DOMAIN.md lists every ward of these sub-counties, so nothing else should be there.
    assert found == wards


@pytest.mark.django_db
def test_every_coastal_sub_county_has_wards():
    empty = SubCounty.objects.filter(wards__isnull=True).values_list("name", flat=True)
    assert list(empty) == []


@pytest.mark.django_db
def test_ward_names_are_not_confused_across_sub_counties():
    # "Kinango", "Likoni", "Changamwe", "Ganze", "Kaloleni", "Magarini" are both a
    # sub-county and one of its wards; each such ward must sit under its namesake.
    for ward in Ward.objects.select_related("sub_county"):
        if SubCounty.objects.filter(name=ward.name).exists():
            assert ward.sub_county.name == ward.name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOTSPOTS))
def test_a_hotspot_points_at_its_sub_county_and_ward(name):
    county, sub_county, ward = HOTSPOTS[name]
    hotspot = Hotspot.objects.select_related("sub_county__county", "ward").get(name=name)
    assert hotspot.sub_county.county.name == county
    assert hotspot.sub_county.name == sub_county
    assert (hotspot.ward.name if hotspot.ward else None) == ward
    if hotspot.ward:
        assert hotspot.ward.sub_county_id == hotspot.sub_county_id


# --- the loader -------------------------------------------------------------------------


@pytest.mark.django_db
def test_running_the_loader_again_changes_nothing():
    before = _counts()
    assert load_kenya(django_apps) == LoadResult()
    assert load_kenya(django_apps) == LoadResult()
    assert _counts() == before


@pytest.mark.django_db
def test_the_loader_works_with_the_historical_models_of_migration_0002():
    state = MigrationLoader(connection).project_state(("geo", "0002_load_kenya"))
    before = _counts()
    assert load_kenya(state.apps) == LoadResult()
    assert _counts() == before


@pytest.mark.django_db
def test_the_loader_loads_into_empty_tables():
    Hotspot.objects.all().delete()
    Ward.objects.all().delete()
    SubCounty.objects.all().delete()
    County.objects.all().delete()

    result = load_kenya(django_apps)

    assert result == LoadResult(counties=47, sub_counties=17, wards=85, hotspots=5)
    assert _counts() == (47, 17, 85, 5)


@pytest.mark.django_db
def test_the_loader_adds_new_rows_and_keeps_ones_it_does_not_know():
    extra = SubCounty.objects.create(county=County.objects.get(code="047"), name="Kibra")
    data = copy.deepcopy(read_data())
    lamu = next(c for c in data["counties"] if c["code"] == "005")
    lamu["sub_counties"] = [{"name": "Lamu West", "wards": ["Shella", "Mkomani"]}]

    result = load_kenya(django_apps, data)

    assert result == LoadResult(sub_counties=1, wards=2)
    assert set(
        Ward.objects.filter(sub_county__name="Lamu West").values_list("name", flat=True)
    ) == {"Shella", "Mkomani"}
    assert SubCounty.objects.filter(pk=extra.pk).exists()


@pytest.mark.django_db
def test_the_loader_renames_a_county_matched_by_code():
    data = copy.deepcopy(read_data())
    data["counties"][-1]["name"] = "Nairobi City"

    load_kenya(django_apps, data)

    assert County.objects.get(code="047").name == "Nairobi City"
    assert County.objects.count() == 47


@pytest.mark.django_db
def test_a_hotspot_pointing_nowhere_is_refused_with_a_clear_message_and_nothing_kept():
    data = copy.deepcopy(read_data())
    data["counties"][0]["sub_counties"].append({"name": "Nowhere", "wards": []})
    data["hotspots"].append({"name": "Atlantis", "county": "001", "sub_county": "Sea"})
    before = _counts()

    with pytest.raises(ValueError, match="Atlantis"):
        load_kenya(django_apps, data)

    assert _counts() == before


# --- selectors --------------------------------------------------------------------------


@pytest.mark.django_db
def test_counties_are_in_iebc_code_order():
    names = list(selectors.counties().values_list("name", flat=True))
    assert names[:3] == ["Mombasa", "Kwale", "Kilifi"]
    assert names[-1] == "Nairobi"
    assert len(names) == 47


@pytest.mark.django_db
def test_sub_counties_of_and_wards_of_return_only_their_children():
    kwale = County.objects.get(code="002")
    assert list(selectors.sub_counties_of(kwale).values_list("name", flat=True)) == [
        "Kinango",
        "Lunga Lunga",
        "Matuga",
        "Msambweni",
    ]
    msambweni = SubCounty.objects.get(county=kwale, name="Msambweni")
    assert list(selectors.wards_of(msambweni).values_list("name", flat=True)) == [
        "Gombato Bongwe",
        "Kinondo",
        "Ramisi",
        "Ukunda",
    ]
    assert not selectors.sub_counties_of(County.objects.get(code="047")).exists()


@pytest.mark.django_db
def test_coastal_counties_are_those_with_sub_counties():
    assert list(selectors.coastal_counties().values_list("code", flat=True)) == [
        "001",
        "002",
        "003",
    ]


@pytest.mark.django_db
def test_hotspots_come_with_their_places_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(h.name, h.sub_county.county.name, h.ward) for h in selectors.hotspots()]
    assert [name for name, _, _ in rows] == sorted(HOTSPOTS)


@pytest.mark.django_db
def test_choices_for_forms_groups_sub_counties_by_county(fresh_choices):
    choices = selectors.choices_for_forms()

    assert [county for county, _ in choices] == ["Mombasa", "Kwale", "Kilifi"]
    for county, options in choices:
        assert {name for _, name in options} == SUB_COUNTIES[county]
        assert [name for _, name in options] == sorted(name for _, name in options)
        ids = [pk for pk, _ in options]
        assert set(SubCounty.objects.filter(pk__in=ids).values_list("county__name", flat=True)) == {
            county
        }


@pytest.mark.django_db
def test_choices_for_forms_is_computed_once_per_process(fresh_choices, django_assert_num_queries):
    first = selectors.choices_for_forms()
    with django_assert_num_queries(0):
        assert selectors.choices_for_forms() is first


@pytest.mark.django_db
def test_choices_for_forms_drives_a_select_with_optgroups(fresh_choices):
    class PlaceForm(forms.Form):
        sub_county = forms.TypedChoiceField(choices=selectors.choices_for_forms, coerce=int)

    likoni = SubCounty.objects.get(county__code="001", name="Likoni")
    html = str(PlaceForm()["sub_county"])
    assert '<optgroup label="Kwale">' in html
    assert f'<option value="{likoni.pk}">Likoni</option>' in html

    form = PlaceForm(data={"sub_county": str(likoni.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sub_county"] == likoni.pk
    assert not PlaceForm(data={"sub_county": "999999"}).is_valid()


# --- admin ------------------------------------------------------------------------------


def test_every_geo_model_is_registered_in_the_admin():
    for model in (County, SubCounty, Ward, Hotspot):
        assert admin.site.is_registered(model)


def test_counties_are_read_only_and_nothing_is_deleted_from_the_admin():
    request = RequestFactory().get("/")
    county_admin = admin.site.get_model_admin(County)
    assert not county_admin.has_add_permission(request)
    assert not county_admin.has_change_permission(request)
    for model in (County, SubCounty, Ward, Hotspot):
        assert not admin.site.get_model_admin(model).has_delete_permission(request)


@pytest.mark.django_db
def test_a_ward_added_in_the_admin_is_audited():
    from kinga.audit.models import AuditEvent
    from kinga.core.testing import client_for, make_user

    admin_user = make_user("sys@k.example", "system_admin", None, is_staff=True, is_superuser=True)
    sub_county = SubCounty.objects.get(name="Msambweni")
    response = client_for(admin_user).post(
        "/system/admin/geo/ward/add/", {"sub_county": sub_county.pk, "name": "Test Ward"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="create", target_type="geo.ward")
    assert event.actor == admin_user and event.fields == ["name", "sub_county"]
