"""The REST API: ``/api/v1/…`` plus the OpenAPI schema at ``/api/schema/``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("v1/", include("kinga.accounts.api")),
    path("v1/", include("kinga.cases.api")),
]
