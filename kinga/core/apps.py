from django.apps import AppConfig


class CoreConfig(AppConfig):
    verbose_name = "Kinga core"
    name = "kinga.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
