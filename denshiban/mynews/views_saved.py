"""Saving and unsaving (htmx or plain POST), and the pages of saved articles and charts.

Every answer here is the reader's own and is never stored by any cache (never_cache).
A press answers htmx with the button in its new state (or the gated panel, or the failure);
without JavaScript it redirects back to where the button was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import saving
from .gates import FAILURE_STATUS, failure_message, failure_title, gate_for, safe_next
from .templatetags.mynews_saved import (
    ARTICLE,
    CHART,
    FEATURES,
    HIDE_CHART_BUTTONS,
    save_button_context,
)

logger = logging.getLogger(__name__)

LIST_URLS = {ARTICLE: "mynews:saved-articles", CHART: "mynews:saved-charts"}


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _button(request: HttpRequest, what: str, target_id: int, next_path: str, **extra: Any):
    status = extra.pop("status", 200)
    context = save_button_context(
        request,
        what=what,
        target_id=target_id,
        next_path=next_path,
        saved=extra.pop("saved", None),
        compact=request.POST.get("compact") == "1",
    )
    context.update(extra)
    return render(request, "mynews/saved_button.html", context, status=status)


def _message_page(request: HttpRequest, title: str, message: str, status: int, back: str):
    context = {"title": title, "message": message, "back": back}
    return render(request, "mynews/saved_message.html", context, status=status)


def _gated_page(request: HttpRequest, what: str, next_path: str, status: int) -> HttpResponse:
    gate = gate_for(request, FEATURES[what], next_path=next_path)
    context = {"gate": gate, "page_title": _("保存")}
    return render(request, "mynews/saved_gated.html", context, status=status)


def _change(request: HttpRequest, *, what: str, target_id: int, save: bool) -> HttpResponse:
    """Act, then answer with the new state, the refusal or the failure."""
    next_path = safe_next(request, request.POST.get("next"), reverse(LIST_URLS[what]))
    action: Callable[..., Any] = {
        (ARTICLE, True): saving.save_article,
        (ARTICLE, False): saving.unsave_article,
        (CHART, True): saving.save_chart,
        (CHART, False): saving.unsave_chart,
    }[(what, save)]
    try:
        action(user=request.user, **{f"{what}_id": target_id})
    except saving.SaveRefused as refused:
        status = refused.permission.status
        if _is_htmx(request):
            return _button(request, what, target_id, next_path, status=status, refused=True)
        return _gated_page(request, what, next_path, status)
    except saving.SaveTargetNotFound:
        raise Http404 from None
    except DatabaseError:
        logger.exception("saving failed")
        if _is_htmx(request):
            return _button(
                request,
                what,
                target_id,
                next_path,
                status=FAILURE_STATUS,
                saved=not save,
                failed=True,
                failure_title=failure_title(),
                failure_message=failure_message(),
            )
        return _message_page(request, failure_title(), failure_message(), FAILURE_STATUS, next_path)
    if request.POST.get("from_list") == "1" and _is_htmx(request):
        # A remove button on the saved list: the item leaves the list.
        return HttpResponse("")
    if _is_htmx(request):
        return _button(request, what, target_id, next_path, saved=save)
    messages.success(request, _("保存しました。") if save else _("保存を取り消しました。"))
    return HttpResponseRedirect(next_path)


@never_cache
@require_POST
def save_article(request: HttpRequest, article_id: int) -> HttpResponse:
    return _change(request, what=ARTICLE, target_id=article_id, save=True)


@never_cache
@require_POST
def unsave_article(request: HttpRequest, article_id: int) -> HttpResponse:
    return _change(request, what=ARTICLE, target_id=article_id, save=False)


@never_cache
@require_POST
def save_chart(request: HttpRequest, chart_id: int) -> HttpResponse:
    return _change(request, what=CHART, target_id=chart_id, save=True)


@never_cache
@require_POST
def unsave_chart(request: HttpRequest, chart_id: int) -> HttpResponse:
    return _change(request, what=CHART, target_id=chart_id, save=False)


def _refusal(request: HttpRequest, what: str) -> HttpResponse | None:
    """The saved lists are for paid members: a guest gets the panel (401), a free or lapsed
    member 「権限不足のため、保存できません」 (403). Nothing saved is lost meanwhile."""
    gate = gate_for(request, FEATURES[what], next_path=request.get_full_path())
    if gate.allowed:
        return None
    context = {
        "gate": gate,
        "page_title": _("保存した記事") if what == ARTICLE else _("保存した図表"),
    }
    return render(request, "mynews/saved_gated.html", context, status=gate.status)


@never_cache
@require_GET
def saved_articles(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request, ARTICLE)
    if refused is not None:
        return refused
    page = saving.saved_articles(request.user, request.GET.get("page"))
    return render(request, "mynews/saved_articles.html", {"page_obj": page, "tab": ARTICLE})


@never_cache
@require_GET
def saved_charts(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request, CHART)
    if refused is not None:
        return refused
    page = saving.saved_charts(request.user, request.GET.get("page"))
    setattr(request, HIDE_CHART_BUTTONS, True)
    return render(request, "mynews/saved_charts.html", {"page_obj": page, "tab": CHART})
