from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "denshiban.newsroom"
    label = "newsroom"
    verbose_name = "紙面編集"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
