"""Every read of research data that depends on who is asking.

Research datasets are seen by the people of the uploading organisation who may
``research.analyse`` (M&E officers, researchers), and by nobody else. "Missing" and
"not yours" are the same ``Http404``.
"""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.http import Http404

from kinga.accounts.models import User
from kinga.accounts.roles import Action
from kinga.research.models import Dataset, Indicator, PrevalenceStudy


def can_analyse(user: User) -> bool:
    return bool(
        user.is_authenticated and user.can(Action.RESEARCH_ANALYSE) and user.organisation_id
    )


def require_analyst(user: User) -> None:
    """A 404 (not a 403) for anyone who may not use research pages at all."""
    if not can_analyse(user):
        raise Http404


def _as_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def datasets_visible_to(user: User) -> QuerySet[Dataset]:
    if not can_analyse(user):
        return Dataset.objects.none()
    return (
        Dataset.objects.filter(organisation_id=user.organisation_id)
        .select_related("uploaded_by")
        .annotate(n_variables=Count("variables", distinct=True))
        .defer("data")
    )


def dataset_get_for(user: User, public_id: object) -> Dataset:
    if not can_analyse(user):
        raise Http404
    try:
        return Dataset.objects.select_related("uploaded_by", "organisation").get(
            public_id=_as_uuid(public_id), organisation_id=user.organisation_id
        )
    except Dataset.DoesNotExist:
        raise Http404 from None


def indicator_get_for(user: User, dataset: Dataset, public_id: object) -> Indicator:
    try:
        return dataset_indicators(user, dataset).get(public_id=_as_uuid(public_id))
    except Indicator.DoesNotExist:
        raise Http404 from None


def dataset_indicators(user: User, dataset: Dataset) -> QuerySet[Indicator]:
    if not can_analyse(user) or dataset.organisation_id != user.organisation_id:
        return Indicator.objects.none()
    return Indicator.objects.filter(dataset=dataset)


def studies_visible_to(user: User) -> QuerySet[PrevalenceStudy]:
    if not can_analyse(user):
        return PrevalenceStudy.objects.none()
    return PrevalenceStudy.objects.filter(organisation_id=user.organisation_id).select_related(
        "created_by"
    )


def study_get_for(user: User, public_id: object) -> PrevalenceStudy:
    try:
        return studies_visible_to(user).get(public_id=_as_uuid(public_id))
    except PrevalenceStudy.DoesNotExist:
        raise Http404 from None
