"""URLs for keyword registration (see urls.py)."""

from django.urls import path

from . import views_keywords

urlpatterns = [
    path("mynews/keywords/", views_keywords.keywords, name="keywords"),
    path(
        "mynews/keywords/<int:keyword_id>/remove/",
        views_keywords.remove_keyword,
        name="keyword-remove",
    ),
]
