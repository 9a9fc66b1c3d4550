from django.urls import path

from kinga.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("mine/", views.mine, name="mine"),
]
