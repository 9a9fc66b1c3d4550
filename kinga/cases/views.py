"""Case pages. HTTP only: parse a form, call a service or selector, render.

Domain errors (illegal transitions, missing consent, stale edits) come back as a
message above the same form, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kinga.accounts.roles import Action
from kinga.cases import forms, selectors, services
from kinga.cases.codes import CaseStatus, ClosureStatus, PlanStatus, Risk
from kinga.core.errors import DomainError


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    status, risk = request.GET.get("status", ""), request.GET.get("risk", "")
    cases = selectors.case_list_for(
        request.user, status=status, risk=risk, q=request.GET.get("q", "")
    )
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    page.object_list = selectors.list_rows_for(request.user, page.object_list)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "status": status,
            "risk": risk,
            "statuses": CaseStatus.choices,
            "risks": Risk.choices,
            "can_register": request.user.can(Action.CASE_REGISTER),
            "can_export": request.user.can(Action.EXPORT_PSEUDONYMISED),
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Everything the person must do this week, oldest deadline first."""
    user = request.user
    if not (user.can(Action.CASE_WORK) or user.can(Action.REFERRAL_RECEIVE)):
        raise Http404
    return render(request, "cases/task_list.html", {"tasks": selectors.tasks_for(user)})


@login_required
def case_register(request: HttpRequest) -> HttpResponse:
    if not request.user.can(Action.CASE_REGISTER):
        raise Http404
    form = forms.RegisterForm(request.POST or None)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name = f"{data['given_name']} {data['family_name']}".strip()
        if not data.pop("confirm_new"):
            duplicates = selectors.duplicate_check(
                request.user,
                name=name,
                nickname=data["nickname"],
                phone=data["phone"],
                county_id=data["county"].pk,
                request=request,
            )
        if not duplicates:
            token = data.pop("form_token")
            data.pop("expected_version")
            try:
                case = services.case_register(
                    actor=request.user,
                    idempotency_key=token,
                    request=request,
                    categories=data.pop("categories"),
                    risk=data.pop("risk"),
                    **data,
                )
            except DomainError as error:
                messages.error(request, error.message)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Case %(n)s registered.") % {"n": case.number})
                return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/register.html", {"form": form, "duplicates": duplicates})


@login_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    view = selectors.case_view_for(request.user, public_id, request=request)
    if not view.full:
        return render(request, "cases/partner_case.html", {"view": view})
    case = view._case
    return render(
        request,
        "cases/case_detail.html",
        {
            "view": view,
            "case": case,
            "timeline": selectors.timeline_for(case),
            "referrals": case.referrals.select_related("to_organisation"),
            "plans": selectors.plans_for(case),
            "pending_plan": case.plans.filter(status=PlanStatus.SUBMITTED).first(),
            "pending_closure": case.closures.filter(status=ClosureStatus.PENDING).first(),
            "can_approve": request.user.can(Action.CASE_APPROVE),
            "can_export": request.user.can(Action.EXPORT_IDENTIFIED),
            "actions": [
                (key, action.title)
                for key, action in ACTIONS.items()
                if action.menu and (action.needs is None or request.user.can(action.needs))
            ],
        },
    )


@dataclass(frozen=True)
class CaseAction:
    title: Any
    form: type
    call: Callable[..., Any]
    menu: bool = True
    needs: Action | None = None  # a role permission beyond case work, e.g. assigning
    hint: Callable[[Any], str] | None = None  # a line above the form, from the case


def _interview_hint(case) -> str:
    count = case.interviews.count()
    if not count:
        return _("Tell it once: this is the child's first logged interview.")
    return ngettext(
        "The child has already been interviewed %(n)d time. Avoid another interview; "
        "if it is necessary, say why.",
        "The child has already been interviewed %(n)d times. Avoid another interview; "
        "if it is necessary, say why.",
        count,
    ) % {"n": count}


def _plan(actor, case, data, **common):
    goals = [
        {
            "domain": data["domain"],
            "description": data["goal"],
            "actions": [
                {
                    "description": data["action"],
                    "responsible_label": data["responsible_label"],
                    "due_on": data["due_on"],
                }
            ],
        }
    ]
    return services.case_plan_submit(actor=actor, case=case, goals=goals, **common)


def _pending_plan(case):
    plan = case.plans.filter(status=PlanStatus.SUBMITTED).first()
    if plan is None:
        raise DomainError(_("No case plan is waiting for approval."))
    return plan


def _pending_closure(case):
    closure = case.closures.filter(status=ClosureStatus.PENDING).first()
    if closure is None:
        raise DomainError(_("No closure is waiting for approval."))
    return closure


def _without_token(common):
    return {k: v for k, v in common.items() if k != "idempotency_key"}


def _current_consent(case):
    consent = case.consents.filter(withdrawn_at__isnull=True).order_by("-recorded_at").first()
    if consent is None:
        raise DomainError(_("There is no consent to withdraw."))
    return consent


ACTIONS: dict[str, CaseAction] = {
    "risk": CaseAction(
        gettext_lazy("Change risk or categories"),
        forms.RiskForm,
        lambda actor, case, data, **c: services.case_set_risk(
            actor=actor, case=case, **data, **_without_token(c)
        ),
        hint=lambda case: _("Deadlines move with the risk level."),
    ),
    "withdraw-consent": CaseAction(
        gettext_lazy("Withdraw consent"),
        forms.WithdrawConsentForm,
        lambda actor, case, data, **c: services.consent_withdraw(
            actor=actor, consent=_current_consent(case), **data, **_without_token(c)
        ),
        hint=lambda case: _(
            "Every consent on the case is withdrawn and every open referral is cancelled: "
            "partners lose access at once."
        ),
    ),
    "consent": CaseAction(
        gettext_lazy("Record consent"),
        forms.ConsentForm,
        lambda actor, case, data, **c: services.consent_record(actor=actor, case=case, **data, **c),
    ),
    "assess": CaseAction(
        gettext_lazy("Assess"),
        forms.AssessForm,
        lambda actor, case, data, **c: services.case_assess(actor=actor, case=case, **data, **c),
    ),
    "plan": CaseAction(gettext_lazy("Write the case plan"), forms.PlanForm, _plan),
    "service": CaseAction(
        gettext_lazy("Record a service"),
        forms.ServiceForm,
        lambda actor, case, data, **c: services.service_record(actor=actor, case=case, **data, **c),
    ),
    "refer": CaseAction(
        gettext_lazy("Refer"),
        forms.ReferForm,
        lambda actor, case, data, **c: services.referral_send(actor=actor, case=case, **data, **c),
    ),
    "follow-up": CaseAction(
        gettext_lazy("Record a follow-up"),
        forms.FollowUpForm,
        lambda actor, case, data, **c: services.follow_up_record(
            actor=actor, case=case, **data, **c
        ),
    ),
    "close": CaseAction(
        gettext_lazy("Close the case"),
        forms.CloseForm,
        lambda actor, case, data, **c: services.case_close(
            actor=actor, case=case, **data, **_without_token(c)
        ),
    ),
    "reopen": CaseAction(
        gettext_lazy("Reopen"),
        forms.ReasonForm,
        lambda actor, case, data, **c: services.case_reopen(
            actor=actor, case=case, **data, **_without_token(c)
        ),
    ),
    "caregiver": CaseAction(
        gettext_lazy("Add a caregiver"),
        forms.CaregiverForm,
        lambda actor, case, data, **c: services.caregiver_add(actor=actor, case=case, **data, **c),
    ),
    "household": CaseAction(
        gettext_lazy("Household economy"),
        forms.HouseholdForm,
        lambda actor, case, data, **c: services.household_update(
            actor=actor, case=case, **data, **_without_token(c)
        ),
    ),
    "interview": CaseAction(
        gettext_lazy("Log an interview"),
        forms.InterviewForm,
        lambda actor, case, data, **c: services.interview_log(actor=actor, case=case, **data, **c),
        hint=_interview_hint,
    ),
    "conference": CaseAction(
        gettext_lazy("Record a case conference"),
        forms.ConferenceForm,
        lambda actor, case, data, **c: services.case_conference_record(
            actor=actor, case=case, **data, **c
        ),
    ),
    "assign": CaseAction(
        gettext_lazy("Assign or reassign"),
        forms.AssignForm,
        lambda actor, case, data, **c: services.case_assign(
            actor=actor, case=case, **data, **_without_token(c)
        ),
        needs=Action.CASE_ASSIGN,
    ),
    "transfer": CaseAction(
        gettext_lazy("Transfer to another organisation"),
        forms.TransferForm,
        lambda actor, case, data, **c: services.case_transfer(
            actor=actor, case=case, **data, **_without_token(c)
        ),
    ),
    "approve-plan": CaseAction(
        gettext_lazy("Approve the case plan"),
        forms.DecisionForm,
        lambda actor, case, data, **c: services.case_plan_approve(
            actor=actor, plan=_pending_plan(case), **data, **_without_token(c)
        ),
        menu=False,
    ),
    "return-plan": CaseAction(
        gettext_lazy("Return the case plan"),
        forms.DecisionForm,
        lambda actor, case, data, **c: services.case_plan_return(
            actor=actor, plan=_pending_plan(case), **data, **_without_token(c)
        ),
        menu=False,
    ),
    "cancel-referral": CaseAction(
        gettext_lazy("Cancel a referral"),
        forms.CancelReferralForm,
        lambda actor, case, data, **c: services.referral_cancel(
            actor=actor, **data, **_without_token(c)
        ),
        needs=Action.REFERRAL_SEND,
        hint=lambda case: _(
            "The partner can no longer see the case once the referral is cancelled."
        ),
    ),
    "return-closure": CaseAction(
        gettext_lazy("Return the closure"),
        forms.DecisionForm,
        lambda actor, case, data, **c: services.case_close_return(
            actor=actor, closure=_pending_closure(case), **data, **_without_token(c)
        ),
        menu=False,
        needs=Action.CASE_APPROVE,
    ),
    "approve-closure": CaseAction(
        gettext_lazy("Approve the closure"),
        forms.DecisionForm,
        lambda actor, case, data, **c: services.case_close_approve(
            actor=actor, closure=_pending_closure(case), **data, **_without_token(c)
        ),
        menu=False,
    ),
}


@login_required
def case_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = selectors.case_get_for(request.user, public_id)
    if not selectors.case_access(request.user, case).full:
        raise Http404
    if spec.needs is not None and not request.user.can(spec.needs):
        raise Http404
    form = spec.form(request.POST or None, version=case.version, case=case)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        common = {
            "expected_version": data.pop("expected_version"),
            "idempotency_key": data.pop("form_token"),
            "request": request,
        }
        try:
            spec.call(request.user, case, data, **common)
        except DomainError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/action.html",
        {
            "form": form,
            "case": case,
            "title": spec.title,
            "hint": spec.hint(case) if spec.hint else "",
        },
    )


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = selectors.referrals_visible_to(request.user).order_by("-sent_at")
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referral_list.html",
        {"page": page, "receiving": request.user.can(Action.REFERRAL_RECEIVE)},
    )


@login_required
@require_POST
def referral_respond(request: HttpRequest, public_id: str, answer: str) -> HttpResponse:
    referral = selectors.referral_get_for(request.user, public_id)
    try:
        if answer == "accept":
            services.referral_accept(actor=request.user, referral=referral, request=request)
        elif answer == "decline":
            services.referral_decline(
                actor=request.user,
                referral=referral,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        elif answer == "complete":
            form = forms.CompleteForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the date the service was given."))
                return redirect("cases:referrals")
            services.referral_complete(
                actor=request.user, referral=referral, request=request, **form.cleaned_data
            )
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Referral updated."))
    return redirect("cases:referrals")
