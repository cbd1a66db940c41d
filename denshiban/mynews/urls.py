"""Myニュース's pages: follows and the gathered list, saved items, keywords (one module each)."""

from django.urls import include, path

app_name = "mynews"

urlpatterns = [
    path("", include("denshiban.mynews.urls_follow")),
    path("", include("denshiban.mynews.urls_saved")),
    path("", include("denshiban.mynews.urls_keywords")),
]
