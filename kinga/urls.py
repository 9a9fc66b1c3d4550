from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from kinga.accounts.views import set_language

admin.site.site_header = "Kinga system administration"
# The admin has no sign-in form of its own: it would skip lockout and two-factor.
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("", include("kinga.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("kinga.accounts.urls")),
    path("audit/", include("kinga.audit.urls")),
    path("cases/", include("kinga.cases.urls")),
    path("research/", include("kinga.research.urls")),
    path("api/", include("kinga.api_urls")),
    path("system/admin/", admin.site.urls),
]

handler400 = "kinga.core.views.bad_request"
handler403 = "kinga.core.views.permission_denied"
handler404 = "kinga.core.views.not_found"
handler500 = "kinga.core.views.server_error"
