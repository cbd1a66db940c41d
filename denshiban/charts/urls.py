from django.urls import path

from . import views

app_name = "charts"

urlpatterns = [
    path("<int:chart_id>/", views.chart_detail, name="detail"),
]
