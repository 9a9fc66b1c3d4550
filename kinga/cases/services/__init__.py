"""Every write to case data: one keyword-only, atomic, permission-checked, audited
function per transition, each writing a ``CaseEvent`` (the timeline).

Illegal transitions raise ``kinga.core.errors.DomainError`` (pages show the message,
the API answers 409); a stale ``expected_version`` raises ``StaleEdit``; bad input
raises ``ValidationError`` naming the field. Services that create a record take an
``idempotency_key`` (the form's token): a double submit returns the first result.
"""

from kinga.cases.services.household import household_update
from kinga.cases.services.lifecycle import (
    case_assign,
    case_close,
    case_close_approve,
    case_close_return,
    case_reopen,
    case_transfer,
)
from kinga.cases.services.referrals import (
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_send,
)
from kinga.cases.services.registration import (
    caregiver_add,
    case_register,
    case_set_risk,
    child_register,
    consent_record,
    consent_withdraw,
)
from kinga.cases.services.work import (
    case_assess,
    case_conference_record,
    case_plan_approve,
    case_plan_return,
    case_plan_submit,
    follow_up_record,
    interview_log,
    service_record,
)

__all__ = [
    "caregiver_add",
    "case_assess",
    "case_assign",
    "case_close",
    "case_close_approve",
    "case_close_return",
    "case_conference_record",
    "case_plan_approve",
    "case_plan_return",
    "case_plan_submit",
    "case_register",
    "case_reopen",
    "case_set_risk",
    "case_transfer",
    "child_register",
    "consent_record",
    "consent_withdraw",
    "follow_up_record",
    "household_update",
    "interview_log",
    "referral_accept",
    "referral_cancel",
    "referral_complete",
    "referral_decline",
    "referral_send",
    "service_record",
]
