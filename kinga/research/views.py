"""Research pages: HTTP only — parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.research import analysis, charts, selectors, services
from kinga.research.forms import (
    CaptureForm,
    DesignForm,
    IndicatorForm,
    NSUMForm,
    RDSForm,
    UploadForm,
)
from kinga.research.ingest import IngestError
from kinga.research.models import StudyKind
from kinga.research.tables import estimate_strings, indicator_sections, p_text


def _file(upload) -> tuple[str, bytes] | None:  # type: ignore[no-untyped-def]
    if not upload:
        return None
    return upload.name, upload.read()


def _form_errors(form, exc: ValidationError) -> None:  # type: ignore[no-untyped-def]
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(
                    None if field == "__all__" or field not in form.fields else field, error
                )
    else:
        for error in exc.error_list:
            form.add_error(None, error)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    selectors.require_analyst(request.user)
    return render(
        request,
        "research/home.html",
        {
            "datasets": selectors.datasets_visible_to(request.user),
            "studies": selectors.studies_visible_to(request.user)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    selectors.require_analyst(request.user)
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"form_token": UploadForm.new_token()}
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dataset = services.dataset_upload(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                data=_file(data["data_file"]),  # type: ignore[arg-type]
                xlsform=_file(data.get("xlsform_file")),
                codebook=_file(data.get("codebook_file")),
                codebook_choices=_file(data.get("choices_file")),
                form_token=data.get("form_token") or "",
                request=request,
            )
        except IngestError as exc:
            problems = exc.problems
        else:
            note = _("Uploaded %(rows)d rows and %(cols)d columns.") % {
                "rows": dataset.row_count,
                "cols": dataset.variables.count(),
            }
            if dataset.dropped_columns:
                note += " " + _("Form metadata not kept: %(cols)s.") % {
                    "cols": ", ".join(dataset.dropped_columns)
                }
            messages.success(request, note)
            return redirect("research:dataset", dataset.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "research/upload.html", {"form": form, "problems": problems}, status=status
    )


@login_required
@require_GET
def dataset(request: HttpRequest, public_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    return render(request, "research/dataset.html", _dataset_context(request, ds))


def _dataset_context(request: HttpRequest, ds, **forms) -> dict:  # type: ignore[no-untyped-def]
    return {
        "dataset": ds,
        "variables": ds.variables.all(),
        "indicators": selectors.dataset_indicators(request.user, ds),
        "design_form": forms.get("design_form") or DesignForm(dataset=ds),
        "indicator_form": forms.get("indicator_form") or IndicatorForm(dataset=ds),
    }


@login_required
@require_POST
def design(request: HttpRequest, public_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    form = DesignForm(request.POST, dataset=ds)
    if form.is_valid():
        try:
            services.design_declare(
                actor=request.user, dataset=ds, values=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Design saved."))
            return redirect("research:dataset", ds.public_id)
    context = _dataset_context(request, ds, design_form=form)
    return render(request, "research/dataset.html", context, status=400)


@login_required
@require_POST
def indicator_add(request: HttpRequest, public_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    form = IndicatorForm(request.POST, dataset=ds)
    if form.is_valid():
        try:
            services.indicator_create(
                actor=request.user, dataset=ds, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Indicator added."))
            return redirect("research:dataset", ds.public_id)
    context = _dataset_context(request, ds, indicator_form=form)
    return render(request, "research/dataset.html", context, status=400)


@login_required
@require_POST
def indicator_delete(request: HttpRequest, public_id: str, indicator_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    indicator = selectors.indicator_get_for(request.user, ds, indicator_id)
    services.indicator_delete(actor=request.user, indicator=indicator, request=request)
    messages.success(request, _("Indicator removed."))
    return redirect("research:dataset", ds.public_id)


@login_required
@require_POST
def dataset_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    services.dataset_delete(actor=request.user, dataset=ds, request=request)
    messages.success(request, _("Dataset deleted."))
    return redirect("research:home")


@login_required
@require_GET
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    rep = analysis.build_report(ds)
    variables = {v.name: v for v in ds.variables.all()}
    blocks = []
    for ind in rep.indicators:
        did = None
        if ind.did is not None:
            cells = [(c, *estimate_strings(c.estimate, ind.percent)) for c in ind.did.cells]
            did = {
                "cells": cells,
                "estimate": ind.did.did,
                "strings": _difference_strings(ind.did.did, ind.percent),
                "p": p_text(ind.did.p_value),
                "suppressed": ind.did.suppressed,
                "problem": ind.did.problem,
            }
        exposure = None
        if ind.exposure is not None:
            x = ind.exposure
            exposure = {
                "exposed": estimate_strings(x.exposed.estimate, ind.percent),
                "unexposed": estimate_strings(x.unexposed.estimate, ind.percent),
                "n_exposed": x.exposed.n,
                "n_unexposed": x.unexposed.n,
                "strings": _difference_strings(x.association, ind.percent),
                "p": p_text(x.p_value),
                "adjusted_for": ", ".join(x.adjusted_for),
                "suppressed": x.suppressed,
                "problem": x.problem,
                "association": x.association,
            }
        blocks.append(
            {
                "ind": ind,
                "sections": indicator_sections(rep, ind),
                "did": did,
                "exposure": exposure,
                "yes": _yes_shown(variables.get(ind.indicator.variable), ind.indicator.yes_values),
            }
        )
    return render(request, "research/report.html", {"dataset": ds, "report": rep, "blocks": blocks})


def _yes_shown(variable, codes: list[str]) -> str:  # type: ignore[no-untyped-def]
    if variable is None:
        return ", ".join(codes)
    shown = []
    for code in codes:
        label = variable.choice_label(code)
        shown.append(code if label == code else f"{label} ({code})")
    return _(" or ").join(shown)


def _difference_strings(estimate, percent: bool) -> tuple[str, str, str] | None:  # type: ignore[no-untyped-def]
    if estimate is None:
        return None
    scale, digits = (100.0, 1) if percent else (1.0, 2)
    return (
        f"{estimate.estimate * scale:+.{digits}f}",
        f"{estimate.ci_low * scale:.{digits}f} – {estimate.ci_high * scale:.{digits}f}",
        f"{estimate.se * scale:.{digits + 1}f}",
    )


@login_required
@require_GET
def chart(request: HttpRequest, public_id: str, indicator_id: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    indicator = selectors.indicator_get_for(request.user, ds, indicator_id)
    rep = analysis.build_report(ds)
    ind = next((i for i in rep.indicators if i.indicator.pk == indicator.pk), None)
    if ind is None or ind.problem:
        return HttpResponse(status=404)
    svg = charts.indicator_svg(
        ind,
        rounds=[label for _value, label in rep.rounds],
        everyone=_("Everyone"),
        axis=_("Percent (95% confidence interval)")
        if ind.percent
        else _("Mean (95% confidence interval)"),
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def export(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    ds = selectors.dataset_get_for(request.user, public_id)
    content, ctype, filename = services.report_export(
        actor=request.user, dataset=ds, fmt=fmt, request=request
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------- prevalence
@login_required
@require_http_methods(["GET", "POST"])
def prevalence(request: HttpRequest) -> HttpResponse:
    selectors.require_analyst(request.user)
    method = request.POST.get("method_kind") if request.method == "POST" else None
    forms = {
        StudyKind.CAPTURE: CaptureForm(prefix="cap"),
        StudyKind.RDS: RDSForm(prefix="rds"),
        StudyKind.NSUM: NSUMForm(prefix="nsum"),
    }
    classes = {StudyKind.CAPTURE: CaptureForm, StudyKind.RDS: RDSForm, StudyKind.NSUM: NSUMForm}
    problems: list[str] = []
    if method in classes:
        form = classes[method](request.POST, request.FILES or None, prefix=forms[method].prefix)
        forms[method] = form
        if form.is_valid():
            params = dict(form.cleaned_data)
            upload_file = _file(params.pop("data_file", None))
            params.pop("title")
            if method == StudyKind.NSUM:
                params.pop("known_columns"), params.pop("known_sizes")
                params["known_sizes"] = params.pop("known_size_values")
            try:
                study = services.prevalence_study_create(
                    actor=request.user, title=form.cleaned_data["title"], kind=method,
                    params=params, upload=upload_file, request=request,
                )  # fmt: skip
            except IngestError as exc:
                problems = exc.problems
            except ValidationError as exc:
                problems = exc.messages
            else:
                return redirect("research:study", study.public_id)
    status = 400 if method else 200
    return render(
        request,
        "research/prevalence.html",
        {"forms": forms, "problems": problems, "method": method, "kinds": StudyKind},
        status=status,
    )


@login_required
@require_GET
def study(request: HttpRequest, public_id: str) -> HttpResponse:
    obj = selectors.study_get_for(request.user, public_id)
    return render(request, "research/study.html", {"study": obj})
