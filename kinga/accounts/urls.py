from django.urls import path

from kinga.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.mfa_verify, name="mfa_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.security, name="security"),
    path("me/two-factor/", views.mfa_setup, name="mfa_setup"),
    path("me/password/", views.password_change, name="password_change"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<str:public_id>/", views.user_edit, name="user_edit"),
    path("users/<str:public_id>/active/", views.user_set_active, name="user_set_active"),
    path(
        "users/<str:public_id>/reset-password/",
        views.user_reset_password,
        name="user_reset_password",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path("organisations/<str:public_id>/", views.organisation_edit, name="organisation_edit"),
]
