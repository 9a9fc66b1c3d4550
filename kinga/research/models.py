"""Research datasets (pseudonymised survey exports), their design, and KAP indicators.

A dataset's rows are stored in the database as zlib-compressed, normalised CSV text
(UTF-8, comma-separated, the header holding the variable names, missing cells empty).
Identity columns never get this far: the upload refuses them (see ``ingest.py``).
"""

from __future__ import annotations

import uuid
import zlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.accounts.models import Organisation


class VariableKind(models.TextChoices):
    NUMERIC = "numeric", _("Numeric")
    CATEGORICAL = "categorical", _("Categorical")
    TEXT = "text", _("Text")


class LonelyPSU(models.TextChoices):
    FAIL = "fail", _("Stop with an error")
    REMOVE = "remove", _("Remove (no variance contribution)")
    CERTAINTY = "certainty", _("Treat as sampled with certainty")
    ADJUST = "adjust", _("Centre at the grand mean (R's adjust)")
    AVERAGE = "average", _("Use the average of the other strata")


class IndicatorKind(models.TextChoices):
    PROPORTION = "proportion", _("Proportion answering one of chosen values")
    MEAN = "mean", _("Mean of a numeric variable")


class Dataset(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="research_datasets"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    original_filename = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"))
    dropped_columns = models.JSONField(default=list, blank=True)
    data = models.BinaryField(editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("research dataset")
        verbose_name_plural = _("research datasets")

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def pack(csv_text: str) -> bytes:
        return zlib.compress(csv_text.encode("utf-8"), 6)

    def csv_text(self) -> str:
        return zlib.decompress(bytes(self.data)).decode("utf-8")


class DatasetVariable(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="variables")
    position = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=120)
    source_name = models.CharField(_("column in the file"), max_length=255)
    label = models.CharField(_("label"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=VariableKind.choices)
    # [{"value": "1", "label": "Yes"}, …] from the XLSForm or codebook, else observed values.
    choices = models.JSONField(default=list, blank=True)
    multiple = models.BooleanField(_("several answers per row (select_multiple)"), default=False)
    n_missing = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="research_variable_unique")
        ]
        verbose_name = _("survey variable")
        verbose_name_plural = _("survey variables")

    def __str__(self) -> str:
        return self.name

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if str(choice.get("value")) == str(value):
                return str(choice.get("label") or value)
        return str(value)


class DesignSpec(models.Model):
    """How the sample was drawn, and which columns play which role in the analysis.

    Every field names a column of the dataset (or is blank). The round of a repeated
    cross-section is a column with a baseline and an endline value, not a model.
    """

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="design")
    weights = models.CharField(_("weights"), max_length=120, blank=True)
    strata = models.CharField(_("strata"), max_length=120, blank=True)
    psu = models.CharField(_("primary sampling unit (cluster)"), max_length=120, blank=True)
    psu2 = models.CharField(_("second-stage unit"), max_length=120, blank=True)
    fpc = models.CharField(_("finite population correction, stage 1"), max_length=120, blank=True)
    fpc2 = models.CharField(_("finite population correction, stage 2"), max_length=120, blank=True)
    nest = models.BooleanField(_("cluster labels restart in each stratum"), default=False)
    lonely_psu = models.CharField(
        _("stratum with a single cluster"),
        max_length=16,
        choices=LonelyPSU.choices,
        default=LonelyPSU.ADJUST,
    )
    round_column = models.CharField(_("survey round column"), max_length=120, blank=True)
    baseline_value = models.CharField(_("baseline value"), max_length=120, blank=True)
    endline_value = models.CharField(_("endline value"), max_length=120, blank=True)
    group_column = models.CharField(_("respondent group column"), max_length=120, blank=True)
    county_column = models.CharField(_("county column"), max_length=120, blank=True)
    treated_column = models.CharField(_("treatment area column"), max_length=120, blank=True)
    treated_value = models.CharField(_("value meaning treated"), max_length=120, blank=True)
    exposure_column = models.CharField(_("exposure column"), max_length=120, blank=True)
    exposure_value = models.CharField(_("value meaning exposed"), max_length=120, blank=True)
    covariates = models.JSONField(_("adjust the exposure comparison for"), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey design")
        verbose_name_plural = _("survey designs")

    def __str__(self) -> str:
        return f"design of {self.dataset}"

    @property
    def has_rounds(self) -> bool:
        return bool(self.round_column and self.baseline_value and self.endline_value)

    @property
    def has_did(self) -> bool:
        return self.has_rounds and bool(self.treated_column and self.treated_value)

    @property
    def has_exposure(self) -> bool:
        return bool(self.exposure_column and self.exposure_value)


class Indicator(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="indicators")
    name = models.SlugField(_("short name"), max_length=60)
    label = models.CharField(_("label"), max_length=300)
    variable = models.CharField(_("variable"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=IndicatorKind.choices)
    yes_values = models.JSONField(_("values counted as yes"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["dataset", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="research_indicator_unique")
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.label


class StudyKind(models.TextChoices):
    RDS = "rds", _("Respondent-driven sampling")
    NSUM = "nsum", _("Network scale-up")
    CAPTURE = "capture", _("Capture–recapture")


class PrevalenceStudy(models.Model):
    """One hidden-population estimate: its inputs and the result, kept as computed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="prevalence_studies"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("method"), max_length=16, choices=StudyKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    inputs = models.JSONField(default=dict)
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prevalence study")
        verbose_name_plural = _("prevalence studies")

    def __str__(self) -> str:
        return self.title


class UploadToken(models.Model):
    """A one-time token of one upload form: a repeated POST finds the dataset it made.

    The token is claimed (inserted, unique per user) in the upload's own transaction, so
    a double-submitted form, even two requests at once, creates one dataset.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="research_upload_token_once")
        ]

    def __str__(self) -> str:
        return self.token
