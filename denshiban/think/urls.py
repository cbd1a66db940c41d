from django.urls import path

from . import views

app_name = "think"

urlpatterns = [
    path("articles/<int:article_id>/", views.think_block, name="block"),
    path("articles/<int:article_id>/comments/", views.post_comment, name="post"),
    path("comments/<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("comments/<int:comment_id>/delete/", views.delete_comment, name="delete"),
    path("comments/<int:comment_id>/helpful/", views.toggle_helpful, name="helpful"),
]
