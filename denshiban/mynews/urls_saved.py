"""URLs for saved (see urls.py)."""

urlpatterns: list = []
