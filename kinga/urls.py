from django.urls import include, path

urlpatterns = [
    path("", include("kinga.core.urls")),
    path("accounts/", include("kinga.accounts.urls")),
]
