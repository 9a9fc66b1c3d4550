from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kinga.cases"
    label = "cases"
    verbose_name = "Cases"
