"""URLs for follow (see urls.py)."""

urlpatterns: list = []
