from django.apps import AppConfig

from portal import checks  # noqa: F401  (registers the multi-host system checks)


class ExemptionsConfig(AppConfig):
    name = "exemptions"
    verbose_name = "Hardship exemptions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register every task by name in this process: services dispatch by name, never by import.
        from . import tasks  # noqa: F401
