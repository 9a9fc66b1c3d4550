"""The audit trail (admins and supervisors) and "activity on my records" (everyone)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kinga.audit import selectors
from kinga.audit.forms import AuditFilterForm
from kinga.audit.models import AuditAction
from kinga.audit.selectors import NO_FILTER, AuditFilter
from kinga.audit.services import audit_record

PAGE_SIZE = 50


def _read_filters(form: AuditFilterForm) -> AuditFilter | None:
    """The filter to apply, or ``None`` when the form has errors (show no rows)."""
    if not form.is_bound:
        return NO_FILTER
    return form.to_filter() if form.is_valid() else None


def _filter_data(request: HttpRequest) -> dict[str, str] | None:
    data = {key: value for key, value in request.GET.items() if key != "page"}
    return data or None


@require_GET
@login_required
def trail(request: HttpRequest) -> HttpResponse:
    # 404, not 403: the page does not admit it exists to those who may not use it.
    if not selectors.can_view_audit_trail(request.user):
        raise Http404
    form = AuditFilterForm(
        _filter_data(request), actors=selectors.actors_to_filter_by(request.user)
    )
    filters = _read_filters(form)
    events = selectors.events_visible_to(request.user, filters or NO_FILTER)
    if filters is None:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read the rows before adding our own
    # Reading the trail shows who did what to which record: that reading is audited too.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        target_type="audit.trail",
        request=request,
        detail={"page": page.number, "filters": (filters or NO_FILTER).used()},
    )
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "page": page,
            "scope_all": selectors.audit_scope_is_all(request.user),
        },
    )


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(_filter_data(request))
    filters = _read_filters(form)
    events = selectors.events_about_my_records(request.user, filters or NO_FILTER)
    if filters is None:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/mine.html", {"form": form, "page": page})
