from django.urls import path

from kinga.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_register, name="register"),
    path("referrals/", views.referral_list, name="referrals"),
    path(
        "referrals/<str:public_id>/<str:answer>/",
        views.referral_respond,
        name="referral_respond",
    ),
    path("<str:public_id>/", views.case_detail, name="detail"),
    path("<str:public_id>/<str:action>/", views.case_action, name="action"),
]
