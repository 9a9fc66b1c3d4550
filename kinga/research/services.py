"""Every write in research: keyword-only, atomic, permission-checked, audited.

A research dataset belongs to the uploader's organisation; only people who may
``research.analyse`` in that organisation may change it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kinga.accounts.models import User
from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.research import analysis, ingest
from kinga.research.models import (
    Dataset,
    DatasetVariable,
    DesignSpec,
    Indicator,
    IndicatorKind,
    PrevalenceStudy,
    StudyKind,
    UploadToken,
)

DESIGN_FIELDS = (
    "weights", "strata", "psu", "psu2", "fpc", "fpc2", "nest", "lonely_psu",
    "round_column", "baseline_value", "endline_value", "group_column", "county_column",
    "treated_column", "treated_value", "exposure_column", "exposure_value", "covariates",
)  # fmt: skip
COLUMN_FIELDS = (
    "weights", "strata", "psu", "psu2", "fpc", "fpc2", "round_column", "group_column",
    "county_column", "treated_column", "exposure_column",
)  # fmt: skip
#: How long an upload form's one-time token is remembered.
UPLOAD_TOKEN_AGE = dt.timedelta(days=2)


def _require_analyst(actor: User) -> None:
    if not actor.can(Action.RESEARCH_ANALYSE) or actor.organisation_id is None:
        raise PermissionDenied


def _require_dataset(actor: User, dataset: Dataset) -> None:
    _require_analyst(actor)
    if dataset.organisation_id != actor.organisation_id:
        raise PermissionDenied


@transaction.atomic
def dataset_upload(
    *,
    actor: User,
    title: str,
    description: str = "",
    data: tuple[str, bytes],
    xlsform: tuple[str, bytes] | None = None,
    codebook: tuple[str, bytes] | None = None,
    codebook_choices: tuple[str, bytes] | None = None,
    form_token: str = "",
    request: HttpRequest | None = None,
) -> Dataset:
    """Read, screen and store a survey export; nothing is saved if anything is wrong.

    ``data`` and the optional label sources are ``(file name, bytes)``. Raises
    :class:`kinga.research.ingest.IngestError` with every problem found (identity
    columns, malformed file, size limits). With a ``form_token`` (the upload form's
    one-time token) a repeated submission returns the dataset the first one created.
    """
    _require_analyst(actor)
    claim = None
    if form_token:
        UploadToken.objects.filter(
            user=actor, created_at__lt=timezone.now() - UPLOAD_TOKEN_AGE
        ).delete()
        try:
            with transaction.atomic():
                claim = UploadToken.objects.create(user=actor, token=form_token)
        except IntegrityError:
            earlier = UploadToken.objects.filter(
                user=actor, token=form_token, dataset__organisation_id=actor.organisation_id
            ).first()
            if earlier is not None and earlier.dataset_id is not None:
                return earlier.dataset  # type: ignore[return-value]
            raise ingest.IngestError(
                _("This form was already submitted; open the upload page again to upload.")
            ) from None
    book = ingest.Codebook()
    if xlsform is not None:
        book = ingest.parse_xlsform(*xlsform)
    if codebook is not None or codebook_choices is not None:
        extra = ingest.parse_codebook(codebook, codebook_choices)
        book.variables.update(extra.variables)
        book.choices.update(extra.choices)
    raw = ingest.read_table(*data)
    parsed = ingest.parse_upload(raw, book)
    dataset = Dataset.objects.create(
        organisation_id=actor.organisation_id,
        title=title.strip() or data[0],
        description=description.strip(),
        uploaded_by=actor,
        original_filename=data[0][:255],
        row_count=parsed.n_rows,
        dropped_columns=parsed.dropped,
        data=Dataset.pack(parsed.to_csv()),
    )
    DatasetVariable.objects.bulk_create(
        DatasetVariable(
            dataset=dataset,
            position=i,
            name=v.name,
            source_name=v.source_name[:255],
            label=v.label[:500],
            kind=v.kind,
            choices=v.choices,
            multiple=v.multiple,
            n_missing=v.n_missing,
        )
        for i, v in enumerate(parsed.variables)
    )
    if claim is not None:
        claim.dataset = dataset
        claim.save(update_fields=["dataset"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=dataset,
        request=request,
        detail={"rows": parsed.n_rows, "columns": len(parsed.variables)},
    )
    return dataset


@transaction.atomic
def dataset_delete(*, actor: User, dataset: Dataset, request: HttpRequest | None = None) -> None:
    _require_dataset(actor, dataset)
    audit_record(actor=actor, action=AuditAction.DELETE, target=dataset, request=request)
    dataset.delete()


def _validate_design(dataset: Dataset, values: Mapping[str, Any]) -> None:
    names = set(dataset.variables.values_list("name", flat=True))
    frame = analysis.frame_of(dataset)
    errors: dict[str, list[str]] = {}
    for key in COLUMN_FIELDS:
        column = values.get(key) or ""
        if column and column not in names:
            errors.setdefault(key, []).append(
                _("There is no column %(column)s in this dataset.") % {"column": repr(column)}
            )
    for column in values.get("covariates") or []:
        if column not in names:
            errors.setdefault("covariates", []).append(
                _("There is no column %(column)s in this dataset.") % {"column": repr(column)}
            )
    if errors:
        raise ValidationError(errors)
    for key in ("weights", "fpc", "fpc2"):
        column = values.get(key)
        if column:
            try:
                frame.numeric(column)
            except ingest.IngestError as exc:
                errors.setdefault(key, []).append(exc.message)  # type: ignore[arg-type]
    round_column = values.get("round_column")
    pairs = (
        ("round_column", "baseline_value"),
        ("round_column", "endline_value"),
        ("treated_column", "treated_value"),
        ("exposure_column", "exposure_value"),
    )
    for column_key, value_key in pairs:
        column, value = values.get(column_key), values.get(value_key)
        if column and not value:
            errors.setdefault(value_key, []).append(_("Give the value to look for in this column."))
        elif value and not column:
            errors.setdefault(column_key, []).append(_("Choose the column that holds this value."))
        elif column and value and column not in errors and not (frame.text(column) == value).any():
            errors.setdefault(value_key, []).append(
                _("No row has %(value)s in column %(column)s.")
                % {"value": repr(value), "column": repr(column)}
            )
    if round_column and values.get("baseline_value") == values.get("endline_value"):
        errors.setdefault("endline_value", []).append(
            _("Baseline and endline must be different values.")
        )
    if errors:
        raise ValidationError(errors)
    # Not linked to the dataset: assigning it would cache this unsaved probe as dataset.design.
    probe = DesignSpec(**{k: values.get(k) for k in DESIGN_FIELDS if k in values})
    try:
        analysis.build_design(frame, probe)
    except ingest.IngestError as exc:
        raise ValidationError({"__all__": [exc.message]}) from None


@transaction.atomic
def design_declare(
    *, actor: User, dataset: Dataset, values: Mapping[str, Any], request: HttpRequest | None = None
) -> DesignSpec:
    """Declare (or change) the dataset's design; the design is checked by building it."""
    _require_dataset(actor, dataset)
    clean = {k: values[k] for k in DESIGN_FIELDS if k in values}
    for key, value in clean.items():
        if isinstance(value, str):
            clean[key] = value.strip()
    clean["covariates"] = list(clean.get("covariates") or [])
    _validate_design(dataset, clean)
    spec, created = DesignSpec.objects.select_for_update().get_or_create(dataset=dataset)
    changed = [k for k in DESIGN_FIELDS if getattr(spec, k) != clean.get(k, getattr(spec, k))]
    for key, value in clean.items():
        setattr(spec, key, value)
    spec.updated_at = timezone.now()
    spec.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=dataset,
        fields=[f"design.{k}" for k in changed],
        request=request,
    )
    return spec


@transaction.atomic
def indicator_create(
    *,
    actor: User,
    dataset: Dataset,
    label: str,
    variable: str,
    kind: str,
    yes_values: Iterable[str] = (),
    name: str = "",
    request: HttpRequest | None = None,
) -> Indicator:
    _require_dataset(actor, dataset)
    var = dataset.variables.filter(name=variable).first()
    if var is None:
        raise ValidationError(
            {
                "variable": _("There is no column %(column)s in this dataset.")
                % {"column": repr(variable)}
            }
        )
    if kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("Choose proportion or mean.")})
    yes = _answer_codes(var, [str(v).strip() for v in yes_values if str(v).strip()])
    if kind == IndicatorKind.PROPORTION and not yes:
        raise ValidationError({"yes_values": _("Choose at least one answer to count as yes.")})
    if kind == IndicatorKind.MEAN and var.kind != "numeric":
        raise ValidationError({"variable": _("A mean needs a numeric column.")})
    slug = slugify(name or label)[:60] or "indicator"
    base, k = slug, 2
    while Indicator.objects.filter(dataset=dataset, name=slug).exists():
        slug = f"{base[:56]}-{k}"
        k += 1
    indicator = Indicator.objects.create(
        dataset=dataset,
        name=slug,
        label=label.strip()[:300] or var.label or var.name,
        variable=variable,
        kind=kind,
        yes_values=yes if kind == IndicatorKind.PROPORTION else [],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=indicator,
        fields=["name", "variable", "kind", "yes_values"],
        request=request,
    )
    return indicator


def _answer_codes(variable: DatasetVariable, given: list[str]) -> list[str]:
    """Answer codes for what was typed: a code as it is, or an answer's label (any case)."""
    if not variable.choices:
        return given
    codes = [str(c["value"]) for c in variable.choices]
    by_label = {str(c.get("label", "")).casefold(): str(c["value"]) for c in variable.choices}
    out: list[str] = []
    for value in given:
        if value in codes:
            out.append(value)
        elif value.casefold() in by_label:
            out.append(by_label[value.casefold()])
        else:
            shown = ", ".join(
                f"{c['value']} ({c.get('label') or c['value']})" for c in variable.choices[:15]
            )
            raise ValidationError(
                {
                    "yes_values": _(
                        "%(value)s is not an answer of %(column)s; answers: %(answers)s."
                    )
                    % {"value": repr(value), "column": variable.name, "answers": shown}
                }
            )
    return list(dict.fromkeys(out))


@transaction.atomic
def indicator_delete(
    *, actor: User, indicator: Indicator, request: HttpRequest | None = None
) -> None:
    _require_dataset(actor, indicator.dataset)
    audit_record(actor=actor, action=AuditAction.DELETE, target=indicator, request=request)
    indicator.delete()


@transaction.atomic
def report_export(
    *, actor: User, dataset: Dataset, fmt: str, request: HttpRequest | None = None
) -> tuple[bytes, str, str]:
    """Build the report as XLSX or PDF; returns ``(content, content type, file name)``.

    Only aggregates leave: small cells are suppressed exactly as on the page.
    """
    from kinga.research import exports

    _require_dataset(actor, dataset)
    report = analysis.build_report(dataset)
    if fmt == "xlsx":
        content = exports.report_xlsx(report)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        content = exports.report_pdf(report)
        ctype = "application/pdf"
    else:
        raise ValidationError(_("Unknown export format."))
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", dataset.title).strip("-")[:60] or "report"
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        target=dataset,
        request=request,
        detail={"format": fmt, "indicators": len(report.indicators)},
    )
    return content, ctype, f"{stem}-report.{fmt}"


@transaction.atomic
def prevalence_study_create(
    *,
    actor: User,
    title: str,
    kind: str,
    params: Mapping[str, Any],
    upload: tuple[str, bytes] | None = None,
    request: HttpRequest | None = None,
) -> PrevalenceStudy:
    """Compute a hidden-population estimate and keep its parameters and results.

    ``kind`` is ``capture`` (``params``: marked, caught, recaptured, method), ``rds`` or
    ``nsum`` (column names and options, with ``upload`` the respondents' file). The
    uploaded file is screened for identity columns and not stored. Raises
    :class:`kinga.research.prevalence.PrevalenceError` with a clear message.
    """
    from kinga.research import prevalence

    _require_analyst(actor)
    inputs: dict[str, Any] = {k: v for k, v in params.items() if k != "title"}
    if kind == StudyKind.CAPTURE:
        estimates = prevalence.capture(
            marked=int(params["marked"]),
            caught=int(params["caught"]),
            recaptured=int(params["recaptured"]),
            method=str(params["method"]),
        )
    elif kind in (StudyKind.RDS, StudyKind.NSUM) and upload is not None:
        seed = prevalence.new_seed()
        inputs.update(seed=seed, file=upload[0])
        runner = prevalence.rds if kind == StudyKind.RDS else prevalence.nsum
        options = {k: v for k, v in inputs.items() if k != "file"}
        estimates, n = runner(filename=upload[0], content=upload[1], **options)
        inputs["rows"] = n
    else:
        raise ValidationError(_("Unknown method, or the data file is missing."))
    study = PrevalenceStudy.objects.create(
        organisation_id=actor.organisation_id,
        title=title.strip()[:200] or kind,
        kind=kind,
        created_by=actor,
        inputs=inputs,
        results=[e.as_dict() for e in estimates],
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=study, request=request, detail={"kind": kind}
    )
    return study
