"""Sign-in, one's own account, and the admin pages for users and organisations.

HTTP only: parse, call a service or selector, render.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from kinga.accounts import selectors, services
from kinga.accounts.backends import AccountLocked
from kinga.accounts.forms import (
    CodeForm,
    LoginForm,
    OrganisationForm,
    PasswordChangeForm,
    PreferencesForm,
    SetPasswordForm,
    UserEditForm,
    UserInviteForm,
)
from kinga.accounts.middleware import MFA_OK
from kinga.accounts.models import User
from kinga.accounts.roles import Action, Role
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.core import resume

PENDING_USER = "kinga_mfa_pending_user"
PENDING_NEXT = "kinga_mfa_pending_next"
SETUP_SECRET = "kinga_mfa_setup_secret"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _complete_login(
    request: HttpRequest, user: User, next_url: str, *, mfa_ok: bool
) -> HttpResponse:
    stashed = request.session.get(resume.SESSION_KEY)
    login(request, user)
    # A half-filled form survives the session change, but only for the one who typed it.
    resume.carry_over(request, stashed, user_pk=user.pk)
    request.session[MFA_OK] = mfa_ok
    services.signin_complete(user=user, request=request)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        if user.mfa_enabled:
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_NEXT] = next_url
            return redirect("accounts:mfa_verify")
        return _complete_login(request, user, next_url, mfa_ok=False)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@never_cache
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = selectors.pending_signin_user(request.session.get(PENDING_USER))
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passed = services.mfa_verify(user=user, code=form.cleaned_data["code"], request=request)
        except AccountLocked:
            request.session.pop(PENDING_USER, None)
            messages.error(request, LoginForm.locked_message())
            return redirect("accounts:login")
        if passed:
            next_url = request.session.pop(PENDING_NEXT, reverse("core:home"))
            request.session.pop(PENDING_USER, None)
            return _complete_login(request, user, next_url, mfa_ok=True)
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(request, "accounts/mfa_verify.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            actor=request.user,
            action=AuditAction.LOGOUT,
            target=request.user,
            record_owner=request.user,
            request=request,
        )
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    form = PreferencesForm(
        request.POST or None, initial={"preferred_language": user.preferred_language}
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_language(user=user, language=form.cleaned_data["preferred_language"])
        messages.success(request, _("Saved."))
        response = redirect("accounts:security")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.preferred_language, httponly=True, samesite="Lax"
        )
        return response
    return render(
        request,
        "accounts/security.html",
        {"form": form, "mfa_required": services.mfa_required_for(user)},
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    if user.mfa_enabled:
        # Re-enrolling would let whoever holds this session replace the authenticator;
        # a lost phone is handled by an admin's password reset, which clears it.
        messages.info(
            request,
            _(
                "Two-factor sign-in is already on. If you lost your phone, ask your "
                "organisation admin to reset your password."
            ),
        )
        return redirect("accounts:security")
    secret = request.session.get(SETUP_SECRET) or services.mfa_new_secret()
    request.session[SETUP_SECRET] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_enable(
                user=user, secret=secret, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            request.session.pop(SETUP_SECRET, None)
            request.session[MFA_OK] = True
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("core:home")
    uri = f"otpauth://totp/Kinga:{user.email}?secret={secret}&issuer=Kinga"
    qr = segno.make(uri, error="m").svg_inline(scale=4, omitsize=False)
    return render(request, "accounts/mfa_setup.html", {"form": form, "secret": secret, "qr": qr})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "core/error.html",
            {
                "title": _("This link has expired"),
                "message": _("Ask your organisation admin to send you a new one."),
            },
            status=404,
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password"], request=request
            )
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            messages.success(request, _("Your password is set. Sign in to continue."))
            return redirect("accounts:login")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitee": invitation.user}
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require(request: HttpRequest, *actions: Action) -> User:
    user: User = request.user
    if not any(user.can(action) for action in actions):
        raise Http404
    return user


def _role_choices(actor: User) -> list[tuple[str, str]]:
    allowed = services.assignable_roles(actor)
    return [(value, label) for value, label in Role.choices if value in allowed]


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Action.USERS_MANAGE, Action.ORGANISATIONS_MANAGE)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    users = selectors.users_visible_to(actor, search=query).order_by("full_name")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@login_required
def user_invite(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Action.USERS_MANAGE, Action.ORGANISATIONS_MANAGE)
    form = UserInviteForm(
        request.POST or resume.pop_for(request),
        organisations=selectors.organisation_choices_for(actor),
        roles=_role_choices(actor),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, token = services.user_invite(
                actor=actor,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                organisation=data["organisation"],
                counties=data["counties"],
                sub_counties=data["sub_counties"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            link = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))
            return render(
                request, "accounts/link_once.html", {"invitee": user, "link": link, "reset": False}
            )
    return render(request, "accounts/user_form.html", {"form": form, "title": _("Invite a user")})


@login_required
def user_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _require(request, Action.USERS_MANAGE, Action.ORGANISATIONS_MANAGE)
    user = selectors.user_get_for(actor, public_id)
    initial = {
        "full_name": user.full_name,
        "role": user.role,
        "counties": user.counties.all(),
        "sub_counties": user.sub_counties.all(),
    }
    form = UserEditForm(request.POST or None, initial=initial, roles=_role_choices(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=actor,
                user=user,
                full_name=data["full_name"],
                role=data["role"],
                counties=data["counties"],
                sub_counties=data["sub_counties"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:user_list")
    return render(
        request, "accounts/user_form.html", {"form": form, "title": user.full_name, "subject": user}
    )


@login_required
@require_POST
def user_set_active(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _require(request, Action.USERS_MANAGE, Action.ORGANISATIONS_MANAGE)
    user = selectors.user_get_for(actor, public_id)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=actor, user=user, active=active, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s can sign in again.") % {"name": user.full_name}
            if active
            else _("%(name)s is deactivated and has been signed out.") % {"name": user.full_name},
        )
    return redirect("accounts:user_edit", public_id=user.public_id)


@login_required
@require_POST
def user_reset_password(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _require(request, Action.USERS_MANAGE, Action.ORGANISATIONS_MANAGE)
    user = selectors.user_get_for(actor, public_id)
    token = services.user_reset_password(actor=actor, user=user, request=request)
    link = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))
    return render(
        request, "accounts/link_once.html", {"invitee": user, "link": link, "reset": True}
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Action.ORGANISATIONS_MANAGE)
    organisations = selectors.organisations_visible_to(actor).order_by("name")
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/organisation_list.html", {"page": page})


@login_required
def organisation_edit(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    actor = _require(request, Action.ORGANISATIONS_MANAGE)
    organisation = selectors.organisation_get_for(actor, public_id) if public_id else None
    initial = {}
    if organisation is not None:
        initial = {
            "name": organisation.name,
            "kind": organisation.kind,
            "code": organisation.code,
            "counties": organisation.counties.all(),
            "is_active": organisation.is_active,
        }
    form = OrganisationForm(request.POST or resume.pop_for(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.organisation_save(
                actor=actor,
                organisation=organisation,
                name=data["name"],
                kind=data["kind"],
                code=data["code"],
                counties=data["counties"],
                is_active=data["is_active"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:organisation_list")
    title = organisation.name if organisation else _("New organisation")
    return render(request, "accounts/organisation_form.html", {"form": form, "title": title})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also remembered on the account of a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return response
