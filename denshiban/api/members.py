"""What every endpoint acting for the signed-in reader shares: the session as authority (with
CSRF whenever its cookie is sent), refusals in the paper's words, the failure answer."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from denshiban.access.permissions import Action, check
from denshiban.mynews.gates import FAILURE_STATUS, failure_message, failure_title

logger = logging.getLogger(__name__)


class ReaderSession(APIKeyCookie):
    """The reader's session, guest or member; CSRF is checked whenever the cookie is sent.

    Guests pass through so that the endpoint refuses them in the paper's words (401);
    without a session cookie a request carries no one's authority to forge.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key and check_csrf(request) is not None:
            raise HttpError(
                403, "CSRFトークンを確認できませんでした。ページを読み込み直してください。"
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user


reader_session = ReaderSession()


class FailureOut(Schema):
    title: str
    detail: str


def refusal(request: HttpRequest, action: Action) -> Status | None:
    """401 or 403 with the paper's words, or None when the reader may go on."""
    permission = check(request.user, action)
    if permission.allowed:
        return None
    return Status(permission.status, {"detail": permission.message})


def failure() -> Status:
    logger.exception("member API write failed")
    return Status(FAILURE_STATUS, {"title": failure_title(), "detail": failure_message()})


def private(response: HttpResponse) -> None:
    add_never_cache_headers(response)
