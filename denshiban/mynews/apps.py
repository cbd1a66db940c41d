from django.apps import AppConfig


class MyNewsConfig(AppConfig):
    name = "denshiban.mynews"
    label = "mynews"
    verbose_name = "Myニュース"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import keyword_signals, signals  # noqa: F401
