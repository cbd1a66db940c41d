"""Keyword registration (キーワード登録): a paid member's words, shared as Keyword rows.

A registration is a Follow of kind keyword whose target is the one Keyword row holding the
normalized word; its label keeps the word as the member typed it. Members who type
ＵＳスチール, USスチール and ｕｓスチール share one Keyword, one automaton entry and one set of
feed entries.

A Keyword nobody follows any more is deleted with its feed entries (in the transaction that
removes the last registration): the automaton every worker keeps then holds only words
someone still wants, and no task writes entries for nobody. Registering and removing lock
the Keyword row, so a registration arriving while the last one is removed either keeps the
row or recreates it, never points at a deleted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from denshiban.access.permissions import Action, Permission, check

from .keywords.normalize import clean_keyword
from .models import FeedEntry, Follow, FollowKind, Keyword
from .tasks import backfill_keyword

MAX_KEYWORDS_PER_MEMBER = 100
LABEL_MAX_LENGTH = 100


class KeywordRefused(Exception):
    """The reader may not register keywords at all (guest, free or lapsed member)."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.message)
        self.permission = permission


class KeywordInvalid(Exception):
    """The word cannot be registered; the message says why, in Japanese."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class KeywordNotFound(Exception):
    """The member has no registration of that keyword."""


@dataclass(frozen=True, slots=True)
class RegisteredKeyword:
    id: int
    text: str
    label: str
    registered_at: datetime


def require_permission(user: Any) -> None:
    permission = check(user, Action.REGISTER_KEYWORD)
    if not permission.allowed:
        raise KeywordRefused(permission)


def _duplicate_message() -> str:
    return _("このキーワードは登録済みです。")


def _limit_message() -> str:
    return _(
        "キーワードは%(limit)d件まで登録できます。不要なキーワードを削除してから登録してください。"
    ) % {"limit": MAX_KEYWORDS_PER_MEMBER}


def _label(raw: str, text: str) -> str:
    label = raw.strip()
    return label if len(label) <= LABEL_MAX_LENGTH else text


@transaction.atomic
def register_keyword(*, user: Any, raw: str) -> RegisteredKeyword:
    """Register `raw` for `user`; a new Keyword is matched against recent articles at once."""
    require_permission(user)
    try:
        text = clean_keyword(raw)
    except ValidationError as error:
        raise KeywordInvalid(error.messages[0], code=error.code or "invalid") from error
    # Two registrations by one member at once must not both pass the limit.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    existing = Keyword.objects.filter(text=text).values_list("pk", flat=True).first()
    mine = Follow.objects.filter(user=user, kind=FollowKind.KEYWORD)
    if existing is not None and mine.filter(target_id=existing).exists():
        raise KeywordInvalid(_duplicate_message(), code="duplicate")
    if mine.count() >= MAX_KEYWORDS_PER_MEMBER:
        raise KeywordInvalid(_limit_message(), code="limit")
    keyword, created = _locked_keyword(text)
    follow = Follow.objects.create(
        user=user, kind=FollowKind.KEYWORD, target_id=keyword.pk, label=_label(raw, text)
    )
    if created:
        keyword_id = keyword.pk
        transaction.on_commit(lambda: backfill_keyword.enqueue(keyword_id))
    return RegisteredKeyword(
        id=keyword.pk, text=keyword.text, label=follow.label, registered_at=follow.created_at
    )


def _locked_keyword(text: str) -> tuple[Keyword, bool]:
    """The Keyword for `text`, created if need be, its row locked until the transaction ends.

    If the last registration of an existing row is being removed at this moment, the lock
    waits for that removal and finds the row gone: it is then created again.
    """
    for _attempt in range(3):
        keyword, created = Keyword.objects.get_or_create(text=text)
        locked = Keyword.objects.select_for_update().filter(pk=keyword.pk).first()
        if locked is not None:
            return locked, created
    raise KeywordInvalid(
        _("操作を実行できませんでした。時間を空けて再度お試しください。"), code="busy"
    )


@transaction.atomic
def remove_keyword(*, user: Any, keyword_id: int) -> None:
    """Remove the member's registration; the Keyword goes too when nobody else has it."""
    require_permission(user)
    deleted, _rows = Follow.objects.filter(
        user=user, kind=FollowKind.KEYWORD, target_id=keyword_id
    ).delete()
    if not deleted:
        raise KeywordNotFound
    keyword = Keyword.objects.select_for_update().filter(pk=keyword_id).first()
    if keyword is None:
        return
    if Follow.objects.filter(kind=FollowKind.KEYWORD, target_id=keyword_id).exists():
        return
    FeedEntry.objects.filter(kind=FollowKind.KEYWORD, target_id=keyword_id).delete()
    keyword.delete()


def member_keywords(user: Any) -> list[RegisteredKeyword]:
    """The member's registrations, newest first (one query)."""
    text = Keyword.objects.filter(pk=OuterRef("target_id")).values("text")[:1]
    rows = (
        Follow.objects.filter(user=user, kind=FollowKind.KEYWORD)
        .annotate(text=Subquery(text))
        .order_by("-created_at", "-id")
        .values_list("target_id", "text", "label", "created_at")
    )
    return [
        RegisteredKeyword(id=target_id, text=text or "", label=label, registered_at=created_at)
        for target_id, text, label, created_at in rows
    ]


def keyword_texts(user: Any) -> list[str]:
    """The normalized words the member registered, for highlighting (one query)."""
    registered = Follow.objects.filter(user=user, kind=FollowKind.KEYWORD).values("target_id")
    return list(Keyword.objects.filter(pk__in=registered).values_list("text", flat=True))
