"""Follow and unfollow (htmx or plain POST), Myニュース and the list of what a member follows.

Every answer here is the reader's own: never stored by any cache (never_cache).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import follows
from .gates import (
    FAILURE_STATUS,
    failure_message,
    failure_title,
    follow_feature,
    gate_for,
    safe_next,
)
from .models import Follow
from .templatetags.mynews import follow_button_context

logger = logging.getLogger(__name__)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _int_param(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _gated_page(request: HttpRequest, feature: str, next_path: str, status: int) -> HttpResponse:
    gate = gate_for(request, feature, next_path=next_path)
    return render(request, "mynews/gated.html", {"gate": gate}, status=status or gate.status)


def _message_page(request: HttpRequest, title: str, message: str, status: int, back: str):
    context = {"title": title, "message": message, "back": back}
    return render(request, "mynews/message.html", context, status=status)


def _button(
    request: HttpRequest,
    *,
    kind: str,
    target_id: int,
    name: str,
    status: int = 200,
    following: bool | None = None,
    **extra: Any,
) -> HttpResponse:
    context = follow_button_context(
        request,
        kind=kind,
        target_id=target_id,
        name=name,
        compact=request.POST.get("compact") == "1",
        next_path=safe_next(request, request.POST.get("next"), reverse("mynews:follows")),
        following=following,
    )
    context.update(extra)
    return render(request, "mynews/_follow_button.html", context, status=status)


def _change(request: HttpRequest, *, follow: bool) -> HttpResponse:
    """Shared by follow and unfollow: act, then answer with the new state or the refusal."""
    kind_raw, target_raw = request.POST.get("kind"), request.POST.get("target")
    next_path = safe_next(request, request.POST.get("next"), reverse("mynews:follows"))
    feature = follow_feature(kind_raw or "")
    try:
        kind, target_id = follows.parse_target(kind_raw, target_raw)
        if follow:
            name = follows.follow(user=request.user, kind=kind, target_id=target_id).label
        else:
            follows.unfollow(user=request.user, kind=kind, target_id=target_id)
            name = _current_name(kind, target_id)
    except follows.FollowRefused as refused:
        if _is_htmx(request) and kind_raw:
            return _button(
                request,
                kind=kind_raw,
                target_id=_int_param(target_raw, 0) or 0,
                name="",
                status=refused.status,
                refused=True,
            )
        return _gated_page(request, feature, next_path, refused.status)
    except follows.FollowError as error:
        if _is_htmx(request) and kind_raw in dict(follows.FollowKind.choices):
            return _button(
                request,
                kind=kind_raw,
                target_id=_int_param(target_raw, 0) or 0,
                name="",
                status=error.status,
                following=not follow,
                notice=error.message,
            )
        return _message_page(request, _("フォロー"), error.message, error.status, next_path)
    except DatabaseError:
        logger.exception("follow change failed")
        if _is_htmx(request):
            return _button(
                request,
                kind=kind_raw or "",
                target_id=_int_param(target_raw, 0) or 0,
                name="",
                status=FAILURE_STATUS,
                following=not follow,
                failed=True,
                failure_title=failure_title(),
                failure_message=failure_message(),
            )
        return _message_page(request, failure_title(), failure_message(), FAILURE_STATUS, next_path)
    follows.forget_followed_keys(request)
    if _is_htmx(request):
        return _button(request, kind=kind, target_id=target_id, name=name, following=follow)
    messages.success(
        request,
        _("「%(name)s」をフォローしました。") % {"name": name}
        if follow
        else _("フォローを解除しました。"),
    )
    return HttpResponseRedirect(next_path)


def _current_name(kind: str, target_id: int) -> str:
    try:
        return follows.target_name(kind, target_id)
    except follows.TargetNotFound:
        return ""


@never_cache
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    return _change(request, follow=True)


@never_cache
@require_POST
def unfollow(request: HttpRequest) -> HttpResponse:
    return _change(request, follow=False)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """Myニュース is for paid members: a guest gets the panel (401), a free member 403."""
    gate = gate_for(request, "follow", next_path=request.get_full_path())
    if gate.allowed:
        return None
    return render(
        request,
        "mynews/gated.html",
        {"gate": gate, "page_title": _("Myニュース")},
        status=gate.status,
    )


@never_cache
@require_GET
def mynews(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    page = _int_param(request.GET.get("page"), 1) or 1
    follow_id = _int_param(request.GET.get("follow"))
    if request.GET.get("follow") and follow_id is None:
        raise Http404
    if page == 1 and follow_id is None:
        previous_seen_at = follows.record_visit(user=request.user).previous_seen_at
    else:
        previous_seen_at = follows.previous_visit(user=request.user)
    try:
        result = follows.mynews_page(
            user=request.user, page=page, follow_id=follow_id, previous_seen_at=previous_seen_at
        )
    except Follow.DoesNotExist:
        raise Http404 from None
    context = {"result": result, "suggestions": []}
    if not result.follows:
        context["suggestions"] = follows.popular_topics()
    return render(request, "mynews/mynews.html", context)


@never_cache
@require_GET
def followed(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request)
    if refused is not None:
        return refused
    named = follows.named_follows(follows.member_follows(request.user))
    return render(request, "mynews/follows.html", {"follows": named})
