"""Experts' public pages at /experts/<slug>/."""

from django.urls import path

from . import views

app_name = "experts"

urlpatterns = [path("<slug:slug>/", views.expert_detail, name="detail")]
