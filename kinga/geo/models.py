"""Kenya's administrative geography as data: county → sub-county → ward, and hotspots.

The hierarchy is loaded from ``data/kenya.json`` by a data migration; programmes
extend it with more rows, never with code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    code = models.CharField(_("IEBC code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class SubCounty(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="sub_counties")
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["county__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="geo_subcounty_unique_name")
        ]
        verbose_name = _("sub-county")
        verbose_name_plural = _("sub-counties")

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    sub_county = models.ForeignKey(SubCounty, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["sub_county__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["sub_county", "name"], name="geo_ward_unique_name")
        ]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return self.name


class Hotspot(models.Model):
    """A place where programmes concentrate outreach (a beach town, a trading centre)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    sub_county = models.ForeignKey(SubCounty, on_delete=models.PROTECT, related_name="hotspots")
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, related_name="hotspots", null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")

    def __str__(self) -> str:
        return self.name
