from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "denshiban.access"
    label = "access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
