from django.urls import path

from . import views

app_name = "newsroom"

urlpatterns = [
    path("article/<int:article_id>/", views.article_detail, name="article"),
    path("topic/<slug:slug>/", views.topic_detail, name="topic"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("company/<str:code>/", views.company_detail, name="company"),
    path("industry/<slug:slug>/", views.industry_detail, name="industry"),
    path("reporter/<slug:slug>/", views.reporter_detail, name="reporter"),
    path("", views.home, name="home"),
    path("<slug:slug>/", views.section_detail, name="section"),
]
