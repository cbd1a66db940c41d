from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "denshiban.newsroom"
    label = "newsroom"
    default_auto_field = "django.db.models.BigAutoField"
