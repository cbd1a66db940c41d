"""キーワード登録: the member's keywords, a form to add one, a button to remove each.

htmx swaps the keywords area in place; without JavaScript the form posts and the page
comes back (redirected after a success, re-rendered with the message and the typed word
after a refusal). Every answer is the reader's own (never_cache).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import registrations
from .gates import FAILURE_STATUS, failure_message, failure_title, gate_for
from .keywords.normalize import MAX_KEYWORD_LENGTH

logger = logging.getLogger(__name__)

FEATURE = "keyword"


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    keywords = registrations.member_keywords(request.user)
    return {
        "keywords": keywords,
        "limit": registrations.MAX_KEYWORDS_PER_MEMBER,
        "max_length": MAX_KEYWORD_LENGTH,
        "typed": "",
        **extra,
    }


def _answer(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    """The keywords area (htmx) or the whole page."""
    template = "mynews/keywords_area.html" if _is_htmx(request) else "mynews/keywords.html"
    return render(request, template, _context(request, **extra), status=status)


def _refused(request: HttpRequest, status: int | None = None) -> HttpResponse:
    gate = gate_for(request, FEATURE, next_path=reverse("mynews:keywords"))
    template = (
        "mynews/keywords_gated_area.html" if _is_htmx(request) else "mynews/keywords_gated.html"
    )
    return render(request, template, {"gate": gate}, status=status or gate.status)


def _failed(request: HttpRequest, **extra: Any) -> HttpResponse:
    logger.exception("keyword registration failed")
    failure = {"failure_title": failure_title(), "failure_message": failure_message()}
    try:
        return _answer(request, FAILURE_STATUS, **failure, **extra)
    except DatabaseError:
        # Not even the list can be read: say so without it.
        context = {"title": failure_title(), "message": failure_message()}
        context["back"] = reverse("mynews:keywords")
        return render(request, "mynews/saved_message.html", context, status=FAILURE_STATUS)


@never_cache
@require_http_methods(["GET", "POST"])
def keywords(request: HttpRequest) -> HttpResponse:
    if not gate_for(request, FEATURE).allowed:
        return _refused(request)
    if request.method == "GET":
        return _answer(request)
    typed = request.POST.get("keyword", "")
    try:
        registered = registrations.register_keyword(user=request.user, raw=typed)
    except registrations.KeywordRefused as refused:
        return _refused(request, refused.permission.status)
    except registrations.KeywordInvalid as invalid:
        return _answer(request, 400, typed=typed, error=invalid.message)
    except DatabaseError:
        return _failed(request, typed=typed)
    notice = _("「%(keyword)s」を登録しました。") % {"keyword": registered.label}
    if _is_htmx(request):
        return _answer(request, notice=notice)
    messages.success(request, notice)
    return HttpResponseRedirect(reverse("mynews:keywords"))


@never_cache
@require_POST
def remove_keyword(request: HttpRequest, keyword_id: int) -> HttpResponse:
    try:
        registrations.remove_keyword(user=request.user, keyword_id=keyword_id)
    except registrations.KeywordRefused as refused:
        return _refused(request, refused.permission.status)
    except registrations.KeywordNotFound:
        # Removed already (another tab, another device): the list as it is now says so.
        notice = _("このキーワードは登録されていません。")
    except DatabaseError:
        return _failed(request)
    else:
        notice = _("キーワードを削除しました。")
    if _is_htmx(request):
        return _answer(request, notice=notice)
    messages.success(request, notice)
    return HttpResponseRedirect(reverse("mynews:keywords"))
