"""URLs for keywords (see urls.py)."""

urlpatterns: list = []
