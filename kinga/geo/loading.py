"""Load Kenya's geography from ``data/kenya.json`` into the geo tables, idempotently.

Rows are matched on their natural keys — a county on its IEBC code, a sub-county on
(county, name), a ward on (sub-county, name), a hotspot on its name — so running the
loader again changes nothing, and running it after the file has grown adds only the new
rows. It never deletes: rows added by a programme stay.

The loader takes an app registry rather than importing the models, so that the data
migration can hand it the historical models (``apps`` in ``RunPython``). It must only
use fields that exist in ``0001_initial``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.db import transaction

DATA_FILE = Path(__file__).resolve().parent / "data" / "kenya.json"


@dataclass(frozen=True)
class LoadResult:
    """How many rows of each kind the loader created (0 everywhere on a re-run)."""

    counties: int = 0
    sub_counties: int = 0
    wards: int = 0
    hotspots: int = 0


def read_data(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@transaction.atomic
def load_kenya(apps: Apps, data: dict[str, Any] | None = None) -> LoadResult:
    """Create or update every county, sub-county, ward and hotspot in ``data``.

    ``data`` defaults to the shipped ``data/kenya.json``.
    """
    if data is None:
        data = read_data()
    County = apps.get_model("geo", "County")
    SubCounty = apps.get_model("geo", "SubCounty")
    Ward = apps.get_model("geo", "Ward")
    Hotspot = apps.get_model("geo", "Hotspot")

    created = {"counties": 0, "sub_counties": 0, "wards": 0, "hotspots": 0}
    for c in data["counties"]:
        county, new = County.objects.update_or_create(code=c["code"], defaults={"name": c["name"]})
        created["counties"] += new
        for s in c.get("sub_counties", []):
            sub_county, new = SubCounty.objects.get_or_create(county=county, name=s["name"])
            created["sub_counties"] += new
            for ward_name in s.get("wards", []):
                _, new = Ward.objects.get_or_create(sub_county=sub_county, name=ward_name)
                created["wards"] += new

    for h in data.get("hotspots", []):
        try:
            sub_county = SubCounty.objects.get(county__code=h["county"], name=h["sub_county"])
            ward = (
                Ward.objects.get(sub_county=sub_county, name=h["ward"]) if h.get("ward") else None
            )
        except (SubCounty.DoesNotExist, Ward.DoesNotExist) as exc:
            raise ValueError(
                f"Hotspot {h['name']!r} points at a place that is not in the data: "
                f"county {h['county']}, sub-county {h['sub_county']!r}, ward {h.get('ward')!r}"
            ) from exc
        _, new = Hotspot.objects.update_or_create(
            name=h["name"], defaults={"sub_county": sub_county, "ward": ward}
        )
        created["hotspots"] += new

    return LoadResult(**created)
