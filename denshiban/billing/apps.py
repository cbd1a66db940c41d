from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "denshiban.billing"
    label = "billing"
    verbose_name = "購読・請求"
    default_auto_field = "django.db.models.BigAutoField"
