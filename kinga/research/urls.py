from django.urls import path

from kinga.research import views

app_name = "research"
urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/upload/", views.upload, name="upload"),
    path("datasets/<str:public_id>/", views.dataset, name="dataset"),
    path("datasets/<str:public_id>/design/", views.design, name="design"),
    path("datasets/<str:public_id>/delete/", views.dataset_delete, name="dataset_delete"),
    path("datasets/<str:public_id>/indicators/", views.indicator_add, name="indicator_add"),
    path(
        "datasets/<str:public_id>/indicators/<str:indicator_id>/delete/",
        views.indicator_delete,
        name="indicator_delete",
    ),
    path(
        "datasets/<str:public_id>/indicators/<str:indicator_id>/chart.svg",
        views.chart,
        name="chart",
    ),
    path("datasets/<str:public_id>/report/", views.report, name="report"),
    path("datasets/<str:public_id>/report.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("datasets/<str:public_id>/report.pdf", views.export, {"fmt": "pdf"}, name="export_pdf"),
    path("prevalence/", views.prevalence, name="prevalence"),
    path("prevalence/<str:public_id>/", views.study, name="study"),
]
