"""Cache headers for API responses; reader-specific ones use core.http's guest rule."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from denshiban.core.http import GUEST_MAX_AGE


def cache_publicly(response: HttpResponse) -> None:
    """For answers that are the same for every caller (no reading decision in them)."""
    patch_cache_control(response, public=True, max_age=GUEST_MAX_AGE)
