from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kinga.core.home import panels_for
from kinga.core.middleware import wants_json


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": panels_for(request.user)})


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": code, "detail": message}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 400, "bad_request", _("Bad request"), _("The request could not be understood.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 403, "forbidden", _("Not allowed"), _("You do not have access to this page.")
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "not_found",
        _("Not found"),
        _("There is nothing here, or you do not have access to it."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "server_error",
        _("Something went wrong"),
        _("The error has been logged. Nothing you entered was half-saved; please try again."),
    )


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
