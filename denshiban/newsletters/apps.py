from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "denshiban.newsletters"
    label = "newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
