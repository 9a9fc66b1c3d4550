"""Request guards that apply to every URL."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than ``KINGA_MAX_BODY_BYTES`` with 413 before reading them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.KINGA_MAX_BODY_BYTES
        if length > limit:
            message = _("The request is too large (limit %(limit)d MB).") % {
                "limit": max(1, limit // (1024 * 1024))
            }
            if wants_json(request):
                return JsonResponse({"error": "request_too_large", "detail": message}, status=413)
            response = TemplateResponse(
                request,
                "core/error.html",
                {"title": _("Too large"), "message": message},
                status=413,
            )
            return response.render()
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in users must not linger in a shared phone's browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
        return response
