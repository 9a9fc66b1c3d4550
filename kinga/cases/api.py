"""REST API for cases, referrals, services, follow-ups and tasks (``/api/v1/…``).

HTTP only: parse with a serializer, call the same service or selector as the pages.
DomainError → 409, ValidationError → 400, Http404 → 404, all as JSON
(``kinga.core.api.exception_handler``). Identified reads go through ``case_view_for``
(audited, share-profile aware).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import Action
from kinga.cases import selectors, services
from kinga.cases.codes import (
    AssentStatus,
    AssessmentKind,
    CaseStatus,
    ClosureOutcome,
    ClosureStatus,
    FollowUpKind,
    IncomeBand,
    InterviewPurpose,
    Relationship,
    Risk,
    ServiceType,
    Sex,
    ShareGroup,
)
from kinga.cases.models import Case, CaseEvent, Referral
from kinga.core.errors import DomainError
from kinga.geo.models import County, SubCounty

# -- output ------------------------------------------------------------------------------


class CaseRowSerializer(serializers.ModelSerializer):
    """A list row. A referral partner gets the case number and its referral's status;
    the summary fields are null unless ``summary`` is in the referral's share profile."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.CharField(
        source="organisation.code", read_only=True, allow_null=True
    )
    referral_status = serializers.CharField(
        source="row_referral",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The caller's organisation's referral status, for a partner's row.",
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "referral_status",
            *selectors.ROW_SUMMARY_FIELDS,
        ]
        extra_kwargs = {
            name: {"allow_null": True}
            for name in selectors.ROW_SUMMARY_FIELDS
            if name != "organisation"
        }

    def to_representation(self, instance: Case) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["referral_status"] = getattr(instance, "row_referral", "") or None
        if not getattr(instance, "row_summary", True):
            for name in selectors.ROW_SUMMARY_FIELDS:
                data[name] = None
        return data


class CaseViewSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    full = serializers.BooleanField(help_text="False for a referral partner's limited view")
    groups = serializers.ListField(child=serializers.ChoiceField(ShareGroup.choices))
    sections = serializers.DictField(child=serializers.DictField())
    interview_count = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name")

    class Meta:
        model = CaseEvent
        fields = ["kind", "at", "actor", "detail"]


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    to_organisation = serializers.CharField(source="to_organisation.code", read_only=True)
    from_organisation = serializers.CharField(source="from_organisation.code", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "from_organisation",
            "to_organisation",
            "service_type",
            "share_groups",
            "status",
            "sent_at",
            "response_due",
            "consent_overridden",
        ]


class CreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()


class TaskSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateTimeField()
    case = serializers.UUIDField(source="case_public_id")
    case_number = serializers.CharField()


class TasksSerializer(serializers.Serializer):
    overdue = TaskSerializer(many=True)
    today = TaskSerializer(many=True)
    week = TaskSerializer(many=True)


class DuplicateSerializer(serializers.Serializer):
    case = serializers.UUIDField(source="case_public_id", allow_null=True)
    case_number = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


# -- input -------------------------------------------------------------------------------


class WriteSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class VersionedSerializer(WriteSerializer):
    expected_version = serializers.IntegerField(min_value=1)


class RegisterSerializer(WriteSerializer):
    given_name = serializers.CharField(allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    nickname = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sex = serializers.ChoiceField(Sex.choices, default=Sex.UNKNOWN)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
    age_years = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all())
    sub_county = serializers.PrimaryKeyRelatedField(
        queryset=SubCounty.objects.all(), required=False, allow_null=True
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    location_detail = serializers.CharField(required=False, allow_blank=True, max_length=500)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    risk = serializers.ChoiceField(Risk.choices)
    categories = serializers.ListField(child=serializers.CharField(max_length=40), default=list)
    aged_out = serializers.BooleanField(default=False)


class RiskSerializer(VersionedSerializer):
    risk = serializers.ChoiceField(Risk.choices)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_null=True
    )


class ConsentSerializer(VersionedSerializer):
    child_assent = serializers.ChoiceField(AssentStatus.choices)
    caregiver_consent = serializers.BooleanField()
    scope_services = serializers.BooleanField(default=True)
    scope_sharing = serializers.ListField(child=serializers.CharField(max_length=32), default=list)
    scope_research = serializers.BooleanField(default=False)
    lawful_basis = serializers.CharField(required=False, allow_blank=True, default="")
    lawful_basis_note = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(AssessmentKind.choices)
    risk = serializers.ChoiceField(Risk.choices)
    sexual_assault_at = serializers.DateTimeField(required=False, allow_null=True)
    schooling = serializers.CharField(required=False, allow_blank=True)
    pep_given = serializers.CharField(required=False, allow_blank=True)
    prc_done = serializers.CharField(required=False, allow_blank=True)
    needs_counselling = serializers.BooleanField(required=False)
    needs_shelter = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceSerializer(VersionedSerializer):
    service_type = serializers.ChoiceField(ServiceType.choices)
    sub_type = serializers.CharField(required=False, allow_blank=True, default="")
    delivered_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralSendSerializer(VersionedSerializer):
    to_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(is_active=True)
    )
    service_type = serializers.ChoiceField(ServiceType.choices)
    share_groups = serializers.ListField(child=serializers.ChoiceField(ShareGroup.choices))
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    consent_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(FollowUpKind.choices)
    happened_at = serializers.DateTimeField()
    risk_after = serializers.ChoiceField(Risk.choices)
    child_seen = serializers.BooleanField(default=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(VersionedSerializer):
    outcome = serializers.ChoiceField(ClosureOutcome.choices)
    child_safe = serializers.BooleanField(default=False)
    goals_reviewed = serializers.BooleanField(default=False)
    child_informed = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CompleteSerializer(serializers.Serializer):
    delivered_on = serializers.DateField()
    sub_type = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CancelReferralSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, required=False)


class ReturnClosureSerializer(VersionedSerializer):
    comment = serializers.CharField(help_text="What needs to happen before closing.")


def case_close_return(*, actor: Any, case: Case, comment: str, **kwargs: Any) -> Case:
    """The supervisor returns the case's pending closure (the case reopens for work)."""
    closure = case.closures.filter(status=ClosureStatus.PENDING).first()
    if closure is None:
        raise DomainError(_("No closure is waiting for approval."), code="wrong_status")
    return services.case_close_return(actor=actor, closure=closure, comment=comment, **kwargs)


@extend_schema_field(OpenApiTypes.UUID)
class ColleagueField(serializers.SlugRelatedField):
    """A person by ``public_id``, among the active members of the caller's organisation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return User.objects.filter(organisation_id=user.organisation_id, is_active=True)


class CaregiverSerializer(VersionedSerializer):
    name = serializers.CharField(max_length=200)
    relationship = serializers.ChoiceField(Relationship.choices)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    lives_with_child = serializers.BooleanField(default=True)
    suspected_exploiter = serializers.BooleanField(
        default=False, help_text="Hides the case from this person everywhere (e.g. no SMS)."
    )


class InterviewSerializer(VersionedSerializer):
    happened_at = serializers.DateTimeField()
    purpose = serializers.ChoiceField(InterviewPurpose.choices)
    interviewer_label = serializers.CharField(
        required=False, allow_blank=True, max_length=80, default=""
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the child has been interviewed before (409 otherwise).",
    )


class ConferenceSerializer(VersionedSerializer):
    held_at = serializers.DateTimeField()
    participants = ColleagueField(many=True, required=False)
    other_participants = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField()
    actions = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(VersionedSerializer):
    workers = ColleagueField(many=True, allow_empty=False)
    supervisor = ColleagueField(required=False, allow_null=True)


class TransferSerializer(VersionedSerializer):
    to_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.filter(is_active=True)
    )
    reason = serializers.CharField()
    consent_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenSerializer(VersionedSerializer):
    reason = serializers.CharField()
    risk = serializers.ChoiceField(Risk.choices, required=False, allow_blank=True, default="")


class HouseholdSerializer(VersionedSerializer):
    members = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=60)
    income_band = serializers.ChoiceField(
        IncomeBand.choices, required=False, allow_blank=True, default=""
    )
    income_source = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )
    in_savings_group = serializers.BooleanField(default=False)
    receives_cash_transfer = serializers.BooleanField(default=False)


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _created(obj: Any, case: Case, code: int = status.HTTP_201_CREATED) -> Response:
    case.refresh_from_db(fields=["version"])
    return Response({"id": str(obj.public_id), "version": case.version}, status=code)


# -- views -------------------------------------------------------------------------------


class CaseListView(ListAPIView):
    serializer_class = CaseRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values),
            OpenApiParameter("risk", str, enum=Risk.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.list_rows_for(self.request.user, page)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.case_list_for(
            self.request.user, status=params.get("status", ""), risk=params.get("risk", "")
        ).select_related("organisation")

    @extend_schema(request=RegisterSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request) -> Response:
        data = _parse(RegisterSerializer, request)
        case = services.case_register(actor=request.user, request=request._request, **data)
        return _created(case, case)


class CaseDetailView(APIView):
    @extend_schema(responses={200: CaseViewSerializer})
    def get(self, request: Request, public_id: str) -> Response:
        view = selectors.case_view_for(request.user, public_id, request=request._request)
        return Response(
            {
                "id": str(view.public_id),
                "number": view.number,
                "full": view.full,
                "groups": sorted(view.groups),
                "sections": view.sections,
                "interview_count": view.interview_count,
                # A counter, not case data: anyone who may record something needs it.
                "version": view._case.version,
            }
        )


class CaseTimelineView(ListAPIView):
    serializer_class = EventSerializer

    def get_queryset(self):
        case = selectors.case_get_for(self.request.user, self.kwargs["public_id"])
        if not selectors.case_access(self.request.user, case).full:
            return CaseEvent.objects.none()
        return selectors.timeline_for(case)


def _case_action(serializer_class, call, *, created: bool = True, keyed: bool = True):
    """A POST endpoint on one case: parse, call the service, answer with the new version.

    ``keyed=False`` for services that take no ``idempotency_key`` (state changes that a
    repeat would refuse anyway: the repeat meets a new version or a new status).
    """
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK

    class CaseActionView(APIView):
        @extend_schema(request=serializer_class, responses={code: CreatedSerializer})
        def post(self, request: Request, public_id: str) -> Response:
            case = selectors.case_get_for(request.user, public_id)
            data = _parse(serializer_class, request)
            if not keyed:
                data.pop("idempotency_key", None)
            result = call(actor=request.user, case=case, request=request._request, **data)
            return _created(result, case, code)

    CaseActionView.__name__ = f"{call.__name__}_view"
    return CaseActionView


class ReferralListView(ListAPIView):
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return selectors.referrals_visible_to(self.request.user).order_by("-sent_at")


def _referral_action(serializer_class, call):
    class ReferralActionView(APIView):
        @extend_schema(request=serializer_class, responses={200: ReferralSerializer})
        def post(self, request: Request, public_id: str) -> Response:
            referral = selectors.referral_get_for(request.user, public_id)
            data = _parse(serializer_class, request) if serializer_class else {}
            referral = call(actor=request.user, referral=referral, request=request._request, **data)
            return Response(ReferralSerializer(referral).data)

    ReferralActionView.__name__ = f"{call.__name__}_view"
    return ReferralActionView


class TasksView(APIView):
    @extend_schema(responses={200: TasksSerializer})
    def get(self, request: Request) -> Response:
        tasks = selectors.tasks_for(request.user)
        return Response(TasksSerializer(tasks).data)


class DuplicateQuerySerializer(serializers.Serializer):
    """What is known of the child being registered: in the body, never in the URL (names
    and phone numbers end up in access logs)."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    nickname = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    caregiver_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
    county = serializers.SlugRelatedField(
        slug_field="code", queryset=County.objects.all(), required=False, allow_null=True
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")

    def validate_birth_year(self, value: int | None) -> int | None:
        if value is not None and value > timezone.localdate().year:
            raise serializers.ValidationError(_("Give a year between 1900 and this year."))
        return value


class DuplicatesView(APIView):
    @extend_schema(
        request=DuplicateQuerySerializer,
        responses={200: DuplicateSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        """Possible earlier registrations of a child (each one shown is audited)."""
        data = _parse(DuplicateQuerySerializer, request)
        if not request.user.can(Action.CASE_REGISTER):
            return Response([])
        county = data.get("county")
        found = selectors.duplicate_check(
            request.user,
            name=data["name"],
            nickname=data["nickname"],
            caregiver_name=data["caregiver_name"],
            birth_year=data.get("birth_year"),
            county_id=county.pk if county else None,
            phone=data["phone"],
            request=request._request,
        )
        return Response(DuplicateSerializer(found, many=True).data)


urlpatterns = [
    path("cases/", CaseListView.as_view(), name="api-cases"),
    path("cases/duplicates/", DuplicatesView.as_view(), name="api-case-duplicates"),
    path("cases/<str:public_id>/", CaseDetailView.as_view(), name="api-case"),
    path("cases/<str:public_id>/timeline/", CaseTimelineView.as_view(), name="api-case-timeline"),
    path(
        "cases/<str:public_id>/risk/",
        _case_action(RiskSerializer, services.case_set_risk, created=False, keyed=False).as_view(),
        name="api-case-risk",
    ),
    path(
        "cases/<str:public_id>/consents/",
        _case_action(ConsentSerializer, services.consent_record).as_view(),
        name="api-case-consents",
    ),
    path(
        "cases/<str:public_id>/assessments/",
        _case_action(AssessmentSerializer, services.case_assess).as_view(),
        name="api-case-assessments",
    ),
    path(
        "cases/<str:public_id>/services/",
        _case_action(ServiceSerializer, services.service_record).as_view(),
        name="api-case-services",
    ),
    path(
        "cases/<str:public_id>/referrals/",
        _case_action(ReferralSendSerializer, services.referral_send).as_view(),
        name="api-case-referrals",
    ),
    path(
        "cases/<str:public_id>/follow-ups/",
        _case_action(FollowUpSerializer, services.follow_up_record).as_view(),
        name="api-case-follow-ups",
    ),
    path(
        "cases/<str:public_id>/close/",
        _case_action(CloseSerializer, services.case_close, keyed=False).as_view(),
        name="api-case-close",
    ),
    path(
        "cases/<str:public_id>/close/return/",
        _case_action(
            ReturnClosureSerializer, case_close_return, created=False, keyed=False
        ).as_view(),
        name="api-case-close-return",
    ),
    path(
        "cases/<str:public_id>/caregivers/",
        _case_action(CaregiverSerializer, services.caregiver_add).as_view(),
        name="api-case-caregivers",
    ),
    path(
        "cases/<str:public_id>/household/",
        _case_action(
            HouseholdSerializer, services.household_update, created=False, keyed=False
        ).as_view(),
        name="api-case-household",
    ),
    path(
        "cases/<str:public_id>/interviews/",
        _case_action(InterviewSerializer, services.interview_log).as_view(),
        name="api-case-interviews",
    ),
    path(
        "cases/<str:public_id>/conferences/",
        _case_action(ConferenceSerializer, services.case_conference_record).as_view(),
        name="api-case-conferences",
    ),
    path(
        "cases/<str:public_id>/assign/",
        _case_action(AssignSerializer, services.case_assign, created=False, keyed=False).as_view(),
        name="api-case-assign",
    ),
    path(
        "cases/<str:public_id>/transfer/",
        _case_action(TransferSerializer, services.case_transfer, keyed=False).as_view(),
        name="api-case-transfer",
    ),
    path(
        "cases/<str:public_id>/reopen/",
        _case_action(ReopenSerializer, services.case_reopen, created=False, keyed=False).as_view(),
        name="api-case-reopen",
    ),
    path("referrals/", ReferralListView.as_view(), name="api-referrals"),
    path(
        "referrals/<str:public_id>/accept/",
        _referral_action(None, services.referral_accept).as_view(),
        name="api-referral-accept",
    ),
    path(
        "referrals/<str:public_id>/decline/",
        _referral_action(DeclineSerializer, services.referral_decline).as_view(),
        name="api-referral-decline",
    ),
    path(
        "referrals/<str:public_id>/complete/",
        _referral_action(CompleteSerializer, services.referral_complete).as_view(),
        name="api-referral-complete",
    ),
    path(
        "referrals/<str:public_id>/cancel/",
        _referral_action(CancelReferralSerializer, services.referral_cancel).as_view(),
        name="api-referral-cancel",
    ),
    path("tasks/", TasksView.as_view(), name="api-tasks"),
]
