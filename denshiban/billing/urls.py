from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("checkout/", views.checkout, name="checkout"),
    path("complete/", views.complete, name="complete"),
    path("cancel/", views.cancel, name="cancel"),
    path("resume/", views.resume, name="resume"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
