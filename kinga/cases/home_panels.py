"""Home-page panels: "my cases / due today / overdue" and the supervisor's team workload."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kinga.accounts.roles import Action
from kinga.cases import selectors
from kinga.cases.codes import ACTIVE_STATUSES
from kinga.core.home import Panel


def panels(user: Any) -> list[Panel]:
    found: list[Panel] = []
    if user.can(Action.CASE_WORK) or user.can(Action.REFERRAL_RECEIVE):
        context = {
            "tasks": selectors.tasks_for(user),
            "my_cases": user.case_assignments.filter(
                case__status__in=list(ACTIVE_STATUSES)
            ).count(),
        }
        found.append(Panel(_("My cases and tasks"), "cases/panels/tasks.html", context, order=5))
    if user.can(Action.CASE_ASSIGN) and user.organisation_id:
        context = {
            "rows": selectors.workload_for(user),
            "unassigned": selectors.cases_visible_to(user)
            .filter(
                organisation_id=user.organisation_id,
                status__in=list(ACTIVE_STATUSES),
                assignment_due__isnull=False,
            )
            .count(),
        }
        found.append(Panel(_("Team workload"), "cases/panels/workload.html", context, order=6))
    return found
