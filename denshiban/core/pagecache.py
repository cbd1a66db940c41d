"""The shared page cache: guests' reader pages served without rendering them again.

Only what every guest may see is stored. A request that carries a session cookie (a
signed-in reader, or a guest holding newsletter unlocks) or any credentials neither reads
nor writes the cache, so a member's full text or allowance badge can never be stored
where a guest would get it. A response is stored only if it says it may be (200 with
`Cache-Control: public`, no cookie set): `core.http.mark_cacheable_for_guests` decides
that per response.

Entries live GUEST_MAX_AGE seconds and are keyed by a version that publishing or
unpublishing any page moves on, so a changed access level is never served stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_max_age

from .http import GUEST_MAX_AGE, is_personal

VERSION_KEY = "pagecache:version"
# Editorial, account and payment screens, the API and the admin's previews are never
# served from here, whatever headers they send.
SKIPPED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/accounts/",
    "/account/",
    "/billing/",
    "/api/",
)
CACHE_HEADER = "X-Page-Cache"


def forget_pages(**kwargs: object) -> None:
    """Make every stored page stale (connected to Wagtail's publish and unpublish signals)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def is_cacheable_request(request: HttpRequest) -> bool:
    if not settings.GUEST_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(SKIPPED_PREFIXES):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        # Signed in, or holding a message for this browser ("ログアウトしました。").
        return False
    # Credentials of any kind, and htmx's partial requests (same URL, other markup).
    return not ("HTTP_AUTHORIZATION" in request.META or "HTTP_HX_REQUEST" in request.META)


def is_storable_response(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if is_personal(request):
        # Signed in or given a session while rendering: the page is this browser's alone.
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    directives = {
        part.strip().split("=")[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    return "public" in directives and not directives & {"private", "no-store", "no-cache"}


def cache_key(request: HttpRequest) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    address = hashlib.sha256(
        f"{request.method}:{host}:{request.get_full_path()}".encode()
    ).hexdigest()
    return f"pagecache:{_version()}:{address}"


def _freeze(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, list(response.items()), response.content


def _thaw(stored: tuple[int, list[tuple[str, str]], bytes]) -> HttpResponse:
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[CACHE_HEADER] = "hit"
    return response


class GuestPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            return _thaw(stored)
        response = self.get_response(request)
        timeout = _timeout(response)
        if timeout > 0 and is_storable_response(request, response):
            cache.set(key, _freeze(response), timeout)
            response[CACHE_HEADER] = "miss"
        return response


def _timeout(response: HttpResponse) -> int:
    max_age = get_max_age(response)
    return GUEST_MAX_AGE if max_age is None else min(max_age, GUEST_MAX_AGE)
