from django.apps import AppConfig


class ThinkConfig(AppConfig):
    name = "denshiban.think"
    label = "think"
    verbose_name = "Think!"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
