"""URLs for follows and Myニュース (see urls.py)."""

from django.urls import path

from . import views_follow

urlpatterns = [
    path("mynews/", views_follow.mynews, name="mynews"),
    path("mynews/follows/", views_follow.followed, name="follows"),
    path("mynews/follow/", views_follow.follow, name="follow"),
    path("mynews/unfollow/", views_follow.unfollow, name="unfollow"),
]
