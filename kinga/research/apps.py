from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "kinga.research"
    label = "research"
    default_auto_field = "django.db.models.BigAutoField"
