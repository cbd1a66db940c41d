from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("form/<int:article_id>/", views.registration_form, name="form"),
    path("register/<int:article_id>/", views.register, name="register"),
    path("unlock/<str:token>/", views.unlock, name="unlock"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mailbox/", views.mailbox, name="mailbox"),
]
