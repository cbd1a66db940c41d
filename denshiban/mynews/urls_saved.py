"""URLs for saved articles and charts (see urls.py)."""

from django.urls import path

from . import views_saved

urlpatterns = [
    path("mynews/saved/articles/", views_saved.saved_articles, name="saved-articles"),
    path("mynews/saved/charts/", views_saved.saved_charts, name="saved-charts"),
    path(
        "mynews/saved/articles/<int:article_id>/save/",
        views_saved.save_article,
        name="save-article",
    ),
    path(
        "mynews/saved/articles/<int:article_id>/remove/",
        views_saved.unsave_article,
        name="unsave-article",
    ),
    path("mynews/saved/charts/<int:chart_id>/save/", views_saved.save_chart, name="save-chart"),
    path(
        "mynews/saved/charts/<int:chart_id>/remove/",
        views_saved.unsave_chart,
        name="unsave-chart",
    ),
]
