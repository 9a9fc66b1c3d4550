from django.apps import AppConfig
from django.core import checks


class VaultConfig(AppConfig):
    name = "kinga.vault"
    label = "vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kinga.vault.checks import check_field_keys

        checks.register(check_field_keys, checks.Tags.database)
