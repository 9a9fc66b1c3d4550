"""Export downloads. HTTP only: every response is an attachment that must not be cached.

Exports are POSTs (buttons, CSRF-protected): a link prefetcher or another site cannot
make a browser export a child's record, and every export is a deliberate, audited act.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinga.cases.exports import services
from kinga.cases.exports.services import Export


def _attachment(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@never_cache
def summary_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    export = services.case_summary_export(actor=request.user, public_id=public_id, request=request)
    return _attachment(export)


@login_required
@require_POST
@never_cache
def summary_zip(request: HttpRequest, public_id: str) -> HttpResponse:
    """Show a one-time passphrase, with the button that downloads the encrypted ZIP."""
    case, passphrase, token = services.passphrase_offer(actor=request.user, public_id=public_id)
    response = render(
        request,
        "cases/export_zip.html",
        {"case": case, "passphrase": passphrase, "token": token},
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
@never_cache
def summary_zip_download(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        export = services.case_summary_encrypted_export(
            actor=request.user,
            public_id=public_id,
            token=request.POST.get("token", ""),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:detail", public_id=public_id)
    return _attachment(export)


@login_required
@require_POST
@never_cache
def case_list(request: HttpRequest, fmt: str) -> HttpResponse:
    export = services.case_list_export(actor=request.user, fmt=fmt, request=request)
    return _attachment(export)
