"""Cache headers that say who a response is for."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

GUEST_MAX_AGE = 60


def is_personal(request: HttpRequest) -> bool:
    """A signed-in reader, or a guest whose session holds something of theirs.

    A guest's session (newsletter unlock grants, for one) can change what a page shows, so
    any request with a session is answered for that browser alone.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


def mark_cacheable_for_guests(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Guests' pages may sit in shared caches; a signed-in reader's never do."""
    if is_personal(request):
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=GUEST_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response
