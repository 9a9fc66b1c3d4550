"""Code lists for case work, aligned with Kenya's national CPIMS where one exists.

The database stores the codes; labels are translated here. Programmes that need more
categories add rows to ``CaseCategory`` (a data migration loads these); labels of codes
not listed here fall back to the stored label.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    CASE_PLAN = "case_plan", _("Case plan")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSING = "closing", _("Closure requested")
    CLOSED = "closed", _("Closed")
    TRANSFERRED = "transferred", _("Transferred")
    REOPENED = "reopened", _("Reopened")


#: States in which case work (services, referrals, follow-ups, assessments) may be recorded.
OPEN_STATUSES: frozenset[str] = frozenset(
    {
        CaseStatus.REGISTERED,
        CaseStatus.ASSESSED,
        CaseStatus.CASE_PLAN,
        CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED,
    }
)
#: States that still need someone's attention (due dates count).
ACTIVE_STATUSES: frozenset[str] = OPEN_STATUSES | {CaseStatus.CLOSING, CaseStatus.TRANSFERRED}


class Risk(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CaseNature(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    CHRONIC = "chronic", _("Chronic")
    EMERGENCY = "emergency", _("Emergency")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Not known")


# (code, label, parent code) — the CPIMS-aligned case categories with online-abuse
# sub-categories. Loaded into CaseCategory by migration 0002.
CATEGORIES: tuple[tuple[str, object, str], ...] = (
    ("sexual_exploitation", _("Sexual exploitation and abuse"), ""),
    ("defilement", _("Defilement"), ""),
    ("sexual_assault", _("Sexual assault"), ""),
    ("incest", _("Incest"), ""),
    ("child_marriage", _("Child marriage"), ""),
    ("child_pregnancy", _("Child pregnancy"), ""),
    ("child_labour", _("Child labour"), ""),
    ("trafficked", _("Trafficked child"), ""),
    ("trafficked_sexual", _("Trafficked child — sexual exploitation"), "trafficked"),
    ("trafficked_labour", _("Trafficked child — labour exploitation"), "trafficked"),
    ("online_abuse", _("Online abuse"), ""),
    ("online_grooming", _("Online grooming"), "online_abuse"),
    ("online_sextortion", _("Sextortion"), "online_abuse"),
    ("online_livestreaming", _("Live-streaming of abuse"), "online_abuse"),
    ("online_csam", _("Child sexual abuse material"), "online_abuse"),
    ("online_sexting", _("Sexting"), "online_abuse"),
    ("online_cyberbullying", _("Cyber-bullying"), "online_abuse"),
)
CATEGORY_LABELS: dict[str, object] = {code: label for code, label, _parent in CATEGORIES}


class ReporterType(models.TextChoices):
    SELF = "self", _("The child")
    PARENT = "parent", _("Parent or caregiver")
    TEACHER = "teacher", _("Teacher")
    CHV = "chv", _("Community volunteer (CHV / VCO)")
    POLICE = "police", _("Police")
    CHIEF = "chief", _("Chief")
    HELPLINE_116 = "helpline_116", _("Helpline 116")
    GBV_1195 = "gbv_1195", _("GBV helpline 1195")
    OTHER = "other", _("Other")


class ServiceType(models.TextChoices):
    SCHOOL = "school", _("School enrolment and retention support")
    VOCATIONAL = "vocational", _("Vocational training")
    INTERNSHIP = "internship", _("Internship or apprenticeship")
    MENTORSHIP = "mentorship", _("Mentorship")
    MEDICAL = "medical", _("Medical care")
    LEGAL_AID = "legal_aid", _("Legal aid")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support / counselling")
    SHELTER = "shelter", _("Temporary shelter or alternative care")
    FAMILY_ECONOMIC = "family_economic", _("Family economic support")
    POLICE = "police", _("Police child-protection unit")


# Sub-types per service type: (code, label).
SERVICE_SUBTYPES: dict[str, tuple[tuple[str, object], ...]] = {
    ServiceType.SCHOOL: (
        ("fees", _("School fees")),
        ("uniform", _("Uniform")),
        ("scholastic", _("Scholastic items")),
        ("dignity_pack", _("Dignity pack")),
        ("accelerated_learning", _("Accelerated learning")),
        ("school_visit", _("School visit")),
    ),
    ServiceType.MEDICAL: (
        ("pep", _("PEP")),
        ("prc", _("Post-rape care (PRC) examination")),
        ("srh", _("Sexual and reproductive health")),
        ("general", _("General medical care")),
    ),
    ServiceType.PSYCHOSOCIAL: (
        ("individual", _("Individual counselling")),
        ("group", _("Group therapy")),
        ("caregiver", _("Caregiver psycho-education")),
    ),
    ServiceType.FAMILY_ECONOMIC: (
        ("iga", _("Income-generating activity")),
        ("business_training", _("Business training")),
        ("savings_group", _("Savings group / table banking")),
    ),
    ServiceType.SHELTER: (
        ("rescue_centre", _("Rescue centre")),
        ("foster", _("Foster or kinship care")),
    ),
}


def subtype_choices(service_type: str) -> tuple[tuple[str, object], ...]:
    return SERVICE_SUBTYPES.get(service_type, ())


class ShareGroup(models.TextChoices):
    """Field groups a referral may share. A partner sees only the groups it was given."""

    IDENTITY = "identity", _("Name, sex and age")
    CONTACT = "contact", _("Phone and exact location")
    SUMMARY = "summary", _("Categories, risk and status")
    NARRATIVE = "narrative", _("The child's account")
    HEALTH = "health", _("Health (incl. PEP/PRC)")
    EDUCATION = "education", _("Education")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    FAMILY = "family", _("Family and caregivers")
    LEGAL = "legal", _("Legal")


ALL_GROUPS: frozenset[str] = frozenset(ShareGroup.values)

#: Suggested share profiles per service: the least a partner needs to help.
SHARE_PRESETS: dict[str, tuple[str, ...]] = {
    ServiceType.MEDICAL: ("identity", "summary", "health"),
    ServiceType.POLICE: ("identity", "summary", "narrative", "legal"),
    ServiceType.LEGAL_AID: ("identity", "summary", "narrative", "legal"),
    ServiceType.SCHOOL: ("identity", "education"),
    ServiceType.PSYCHOSOCIAL: ("identity", "summary", "narrative", "mental_health"),
    ServiceType.SHELTER: ("identity", "contact", "summary", "family"),
}


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("Initial")
    COMPREHENSIVE = "comprehensive", _("Comprehensive")


class Domain(models.TextChoices):
    SAFETY = "safety", _("Safety")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    MENTAL_HEALTH = "mental_health", _("Mental health and psychosocial")
    FAMILY = "family", _("Family and caregivers")
    ECONOMY = "economy", _("Household economy")
    LEGAL = "legal", _("Legal")


class Schooling(models.TextChoices):
    IN_SCHOOL = "in_school", _("In school")
    IRREGULAR = "irregular", _("Attends irregularly")
    OUT_OF_SCHOOL = "out_of_school", _("Out of school")
    NEVER = "never", _("Never enrolled")
    VOCATIONAL = "vocational", _("In vocational training")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class FollowUpKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    SCHOOL_VISIT = "school_visit", _("School visit")
    PHONE = "phone", _("Phone call")
    OFFICE = "office", _("Office visit")


class InterviewPurpose(models.TextChoices):
    DISCLOSURE = "disclosure", _("First disclosure")
    ASSESSMENT = "assessment", _("Assessment")
    POLICE_STATEMENT = "police_statement", _("Police statement")
    MEDICAL = "medical", _("Medical examination history")
    COURT = "court", _("Court preparation or testimony")
    OTHER = "other", _("Other")


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "goals_met", _("Case plan goals met")
    REINTEGRATED = "reintegrated", _("Removed from exploitation and reintegrated")
    TRANSFERRED = "transferred", _("Transferred")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    AGED_OUT = "aged_out", _("Aged out")
    DIED = "died", _("Child died")


class ClosureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class LawfulBasis(models.TextChoices):
    NONE = "", _("None (caregiver consent)")
    CHILD_PROTECTION = "child_protection", _("Child-protection / counselling service exception")
    COURT_ORDER = "court_order", _("Court order")
    STATUTORY = "statutory", _("Statutory duty of the Children's Officer")


class AssentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    NOT_ABLE = "not_able", _("Child too young or unable")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Older sibling")
    RELATIVE = "relative", _("Other relative")
    GUARDIAN = "guardian", _("Guardian")
    FOSTER = "foster", _("Foster carer")
    OTHER = "other", _("Other")


class IncomeBand(models.TextChoices):
    NONE = "none", _("No regular income")
    UNDER_5K = "under_5k", _("Under KES 5,000 a month")
    FROM_5K = "5k_15k", _("KES 5,000–15,000 a month")
    OVER_15K = "over_15k", _("Over KES 15,000 a month")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CAREGIVER_ADDED = "caregiver_added", _("Caregiver added")
    HOUSEHOLD_UPDATED = "household", _("Household economy recorded")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    RISK_SET = "risk_set", _("Risk level set")
    ASSESSED = "assessed", _("Assessed")
    PLAN_SUBMITTED = "plan_submitted", _("Case plan submitted")
    PLAN_APPROVED = "plan_approved", _("Case plan approved")
    PLAN_RETURNED = "plan_returned", _("Case plan returned")
    SERVICE = "service", _("Service recorded")
    REFERRAL_SENT = "referral_sent", _("Referral sent")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _("Referral declined")
    REFERRAL_COMPLETED = "referral_completed", _("Referral completed")
    REFERRAL_CANCELLED = "referral_cancelled", _("Referral cancelled")
    CONSENT_OVERRIDE = "consent_override", _("Consent gate overridden")
    FOLLOW_UP = "follow_up", _("Follow-up")
    INTERVIEW = "interview", _("Interview logged")
    CONFERENCE = "conference", _("Case conference")
    ASSIGNED = "assigned", _("Assigned")
    CLOSE_REQUESTED = "close_requested", _("Closure requested")
    CLOSE_APPROVED = "closed", _("Closed")
    CLOSE_RETURNED = "close_returned", _("Closure returned")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")
