from django.apps import AppConfig


class ChartsConfig(AppConfig):
    name = "denshiban.charts"
    label = "charts"
    default_auto_field = "django.db.models.BigAutoField"
