"""Input validation for the research pages."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kinga.research.models import Dataset, DesignSpec, IndicatorKind, LonelyPSU
from kinga.research.prevalence import MAX_COUNT


def _check_size(upload):  # type: ignore[no-untyped-def]
    if upload is not None and upload.size > settings.KINGA_MAX_BODY_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(mb)d MB.")
            % {"mb": max(1, settings.KINGA_MAX_BODY_BYTES // (1024 * 1024))}
        )
    return upload


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    data_file = forms.FileField(
        label=_("Survey export (CSV or XLSX)"),
        help_text=_(
            "As KoboToolbox or ODK export it. Only pseudonymised data: columns holding "
            "names, phone numbers, e-mail addresses, ID numbers or GPS positions are refused."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    xlsform_file = forms.FileField(
        label=_("XLSForm (optional)"),
        required=False,
        help_text=_("The form's .xlsx, to label questions and answers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    codebook_file = forms.FileField(
        label=_("Codebook CSV (optional)"),
        required=False,
        help_text=_("Columns variable, label and optionally list_name."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    choices_file = forms.FileField(
        label=_("Answer labels CSV (optional)"),
        required=False,
        help_text=_("Columns list_name, value, label."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    #: One-time token (see ``UploadToken``): a repeated POST of this form is not a new upload.
    form_token = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex

    def clean_data_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("data_file"))

    def clean_xlsform_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("xlsform_file"))

    def clean_codebook_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("codebook_file"))

    def clean_choices_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("choices_file"))


def _column_choices(
    dataset: Dataset, kinds: tuple[str, ...] | None = None
) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", "—")]
    for v in dataset.variables.all():
        if kinds is None or v.kind in kinds:
            choices.append((v.name, f"{v.name} — {v.label}" if v.label else v.name))
    return choices


class DesignForm(forms.Form):
    weights = forms.ChoiceField(label=_("Weights"), required=False)
    strata = forms.ChoiceField(label=_("Strata"), required=False)
    psu = forms.ChoiceField(label=_("Clusters (primary sampling units)"), required=False)
    psu2 = forms.ChoiceField(label=_("Second-stage units"), required=False)
    fpc = forms.ChoiceField(
        label=_("Population size or sampling fraction, stage 1"), required=False
    )
    fpc2 = forms.ChoiceField(
        label=_("Population size or sampling fraction, stage 2"), required=False
    )
    nest = forms.BooleanField(label=_("Cluster labels restart in each stratum"), required=False)
    lonely_psu = forms.ChoiceField(
        label=_("A stratum with a single cluster"), choices=LonelyPSU.choices
    )
    round_column = forms.ChoiceField(label=_("Survey round column"), required=False)
    baseline_value = forms.CharField(label=_("Baseline value"), required=False, max_length=120)
    endline_value = forms.CharField(label=_("Endline value"), required=False, max_length=120)
    group_column = forms.ChoiceField(
        label=_("Respondent group column"),
        required=False,
        help_text=_("E.g. household / school / community leader."),
    )
    county_column = forms.ChoiceField(label=_("County column"), required=False)
    treated_column = forms.ChoiceField(
        label=_("Intervention area column"),
        required=False,
        help_text=_("With the rounds, gives the difference-in-differences table."),
    )
    treated_value = forms.CharField(
        label=_("Value meaning intervention area"), required=False, max_length=120
    )
    exposure_column = forms.ChoiceField(
        label=_("Exposure column"),
        required=False,
        help_text=_("E.g. attended a community dialogue; compared at endline as an association."),
    )
    exposure_value = forms.CharField(
        label=_("Value meaning exposed"), required=False, max_length=120
    )
    covariates = forms.MultipleChoiceField(
        label=_("Adjust the exposure comparison for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):  # type: ignore[no-untyped-def]
        spec = DesignSpec.objects.filter(dataset=dataset).first()
        if spec is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(spec, f) for f in self.base_fields}
        super().__init__(*args, **kwargs)
        every = _column_choices(dataset)
        numeric = _column_choices(dataset, ("numeric",))
        grouping = _column_choices(dataset, ("numeric", "categorical"))
        for name in ("weights", "fpc", "fpc2"):
            self.fields[name].choices = numeric  # type: ignore[attr-defined]
        for name in ("strata", "psu", "psu2"):
            self.fields[name].choices = every  # type: ignore[attr-defined]
        for name in (
            "round_column",
            "group_column",
            "county_column",
            "treated_column",
            "exposure_column",
        ):
            self.fields[name].choices = grouping  # type: ignore[attr-defined]
        self.fields["covariates"].choices = grouping[1:]  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    label = forms.CharField(
        label=_("Indicator"),
        max_length=300,
        help_text=_("E.g. Knows where to report a case of child exploitation."),
    )
    variable = forms.ChoiceField(label=_("Question (column)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    yes_values = forms.CharField(
        label=_("Answers counted as yes"),
        required=False,
        max_length=500,
        help_text=_(
            "For a proportion: answer codes or labels separated by commas, e.g. 1 or yes. "
            "Missing answers are left out."
        ),
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["variable"].choices = _column_choices(dataset, ("numeric", "categorical"))  # type: ignore[attr-defined]

    def clean_yes_values(self) -> list[str]:
        raw = self.cleaned_data.get("yes_values") or ""
        return [v.strip() for v in raw.split(",") if v.strip()]


class CaptureForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    marked = forms.IntegerField(
        label=_("Listed by the first source (M)"), min_value=1, max_value=MAX_COUNT,
        help_text=_("E.g. children known to the programme's case records."),
    )  # fmt: skip
    caught = forms.IntegerField(
        label=_("Listed by the second source (n)"), min_value=1, max_value=MAX_COUNT,
        help_text=_("E.g. children met by the outreach count."),
    )  # fmt: skip
    recaptured = forms.IntegerField(
        label=_("Listed by both (m)"), min_value=0, max_value=MAX_COUNT,
    )  # fmt: skip
    method = forms.ChoiceField(
        label=_("Estimator"),
        choices=[("chapman", _("Chapman (less biased)")), ("petersen", _("Lincoln–Petersen"))],
    )


class RDSForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    data_file = forms.FileField(
        label=_("Recruitment data (CSV or XLSX)"),
        help_text=_(
            "One row per respondent: coupon id, recruiter's id (blank or 'seed' for seeds), "
            "network size, outcome."
        ),
    )
    id_column = forms.CharField(label=_("Respondent id column"), max_length=120)
    recruiter_column = forms.CharField(label=_("Recruiter id column"), max_length=120)
    degree_column = forms.CharField(label=_("Network size (degree) column"), max_length=120)
    outcome_column = forms.CharField(label=_("Outcome column"), max_length=120)
    estimator = forms.ChoiceField(
        label=_("Estimator"),
        choices=[
            ("RDS-II", _("RDS-II (Volz–Heckathorn)")),
            ("RDS-I", _("RDS-I (Salganik–Heckathorn)")),
            ("RDS-I-DS", _("RDS-I, data-smoothed")),
            ("SS", _("Successive sampling (Gile; needs N)")),
        ],
    )
    population_size = forms.IntegerField(
        label=_("Population size N (for SS)"), required=False, min_value=1, max_value=MAX_COUNT
    )
    exclude_seeds = forms.BooleanField(label=_("Leave the seeds out"), required=False)
    bootstrap = forms.IntegerField(
        label=_("Bootstrap replicates"), initial=500, min_value=0, max_value=5000
    )

    def clean_data_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("data_file"))


class NSUMForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    data_file = forms.FileField(
        label=_("Scale-up survey (CSV or XLSX)"),
        help_text=_(
            "One row per respondent: how many people they know in each known population "
            "and in the hidden one."
        ),
    )
    known_columns = forms.CharField(
        label=_("Known-population columns"),
        help_text=_("Separated by commas, e.g. teachers,nurses,twins."),
        max_length=2000,
    )
    known_sizes = forms.CharField(
        label=_("Sizes of the known populations"),
        help_text=_("In the same order, separated by commas."),
        max_length=2000,
    )
    hidden_column = forms.CharField(label=_("Hidden-population column"), max_length=120)
    population_size = forms.IntegerField(
        label=_("Total population N"), min_value=1, max_value=MAX_COUNT
    )
    weights_column = forms.CharField(
        label=_("Weights column (optional)"), required=False, max_length=120
    )
    degree_ratio = forms.FloatField(
        label=_("Degree ratio"), initial=1.0, min_value=0.0001, max_value=1000.0
    )
    tx_rate = forms.FloatField(
        label=_("Visibility (true-positive rate)"), initial=1.0, min_value=0.0001, max_value=1.0
    )
    bootstrap = forms.IntegerField(
        label=_("Bootstrap replicates"), initial=500, min_value=0, max_value=5000
    )

    def clean_data_file(self):  # type: ignore[no-untyped-def]
        return _check_size(self.cleaned_data.get("data_file"))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        names = [c.strip() for c in (data.get("known_columns") or "").split(",") if c.strip()]
        try:
            sizes = [float(s) for s in (data.get("known_sizes") or "").split(",") if s.strip()]
        except ValueError:
            self.add_error("known_sizes", _("Give numbers separated by commas."))
            return data
        if any(not 0 < size <= MAX_COUNT for size in sizes):
            self.add_error(
                "known_sizes",
                _("Each size must be more than 0 and at most %(limit)s.")
                % {"limit": f"{MAX_COUNT:,}"},
            )
        if names and len(names) != len(sizes):
            self.add_error("known_sizes", _("Give one size for each known-population column."))
        data["known_names"], data["known_size_values"] = names, sizes
        return data
