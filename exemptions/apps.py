from django.apps import AppConfig


class ExemptionsConfig(AppConfig):
    name = "exemptions"
    verbose_name = "Hardship exemptions"
    default_auto_field = "django.db.models.BigAutoField"
