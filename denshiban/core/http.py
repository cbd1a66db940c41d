"""Cache headers that say who a response is for."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

GUEST_MAX_AGE = 60


def mark_cacheable_for_guests(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Guests' pages may sit in shared caches; a signed-in reader's never do."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=GUEST_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response
