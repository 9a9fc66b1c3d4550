from django.urls import path

from kinga.cases import views
from kinga.cases.exports import views as export_views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_register, name="register"),
    path("tasks/", views.task_list, name="tasks"),
    path("referrals/", views.referral_list, name="referrals"),
    path("export/<str:fmt>/", export_views.case_list, name="export_list"),
    path(
        "referrals/<str:public_id>/<str:answer>/",
        views.referral_respond,
        name="referral_respond",
    ),
    path("<str:public_id>/", views.case_detail, name="detail"),
    path("<str:public_id>/export/pdf/", export_views.summary_pdf, name="export_pdf"),
    path("<str:public_id>/export/zip/", export_views.summary_zip, name="export_zip"),
    path(
        "<str:public_id>/export/zip/download/",
        export_views.summary_zip_download,
        name="export_zip_download",
    ),
    path("<str:public_id>/<str:action>/", views.case_action, name="action"),
]
