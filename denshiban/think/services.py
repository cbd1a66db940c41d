"""Writes for Think!: posting, editing and deleting comments, 参考になった, moderation.

Every refusal is a `ThinkError` carrying the Japanese message the reader or editor sees, so
the HTML views and the API answer with the same words. Who may read or post is
`access.permissions.check`'s decision; which comment belongs to whom is checked here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from denshiban.access.permissions import Action, check
from denshiban.newsroom.models import ArticlePage

from .exceptions import (
    CommentInvalid,
    CommentNotFound,
    EditWindowClosed,
    NotAllowed,
    RateLimited,
    ThinkError,
)
from .models import (
    TEXT_MAX_LENGTH,
    TEXT_MIN_LENGTH,
    URL_MAX_LENGTH,
    Comment,
    CommentKind,
    Expert,
    HelpfulMark,
)

# At most RATE_LIMIT_POSTS comments per expert within RATE_LIMIT_WINDOW.
RATE_LIMIT_POSTS = 5
RATE_LIMIT_WINDOW = timedelta(minutes=10)
# The same text posted again this soon is the same submission sent twice (a double click).
RESUBMIT_WINDOW = timedelta(minutes=2)

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True, slots=True)
class CommentInput:
    kind: str
    text: str
    url: str


def normalize_text(text: str) -> str:
    """One kind of line break, no control characters, no blank margin."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = (ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return "".join(kept).strip()


def clean_comment(*, kind: Any, text: Any, url: Any) -> CommentInput:
    """The comment as it will be stored, or CommentInvalid naming every field at fault."""
    errors: dict[str, str] = {}
    kind = str(kind or "")
    if kind not in CommentKind.values:
        errors["kind"] = _("コメントの種類を選んでください。")
    text = normalize_text(str(text or ""))
    if not text:
        errors["text"] = _("コメントを入力してください。")
    elif len(text) < TEXT_MIN_LENGTH:
        errors["text"] = _(
            "コメントは%(min)d文字以上で入力してください(いまは%(count)d文字です)。"
        ) % {"min": TEXT_MIN_LENGTH, "count": len(text)}
    elif len(text) > TEXT_MAX_LENGTH:
        errors["text"] = _(
            "コメントは%(max)d文字以内で入力してください(いまは%(count)d文字です)。"
        ) % {"max": TEXT_MAX_LENGTH, "count": len(text)}
    url = str(url or "").strip()
    if url:
        if len(url) > URL_MAX_LENGTH:
            errors["url"] = _("リンクは%(max)d文字以内で入力してください。") % {
                "max": URL_MAX_LENGTH
            }
        else:
            try:
                _url_validator(url)
            except ValidationError:
                errors["url"] = _(
                    "リンクは http:// か https:// で始まるURLを1つだけ入力してください。"
                )
    if errors:
        raise CommentInvalid(errors)
    return CommentInput(kind=kind, text=text, url=url)


def _require(user: Any, action: Action) -> None:
    permission = check(user, action)
    if not permission.allowed:
        raise NotAllowed(permission.message, status=permission.status)


def _expert_of(user: Any) -> Expert:
    expert = Expert.objects.select_for_update().filter(user_id=user.pk).first()
    if expert is None:
        raise NotAllowed(
            _(
                "エキスパートのプロフィールが登録されていないため、投稿できません。"
                "編集部にお問い合わせください。"
            )
        )
    return expert


def _check_rate(expert: Expert, now: datetime) -> None:
    recent = Comment.objects.filter(
        expert=expert, created_at__gt=now - RATE_LIMIT_WINDOW, created_at__lte=now
    ).count()
    if recent >= RATE_LIMIT_POSTS:
        raise RateLimited(
            _(
                "短い時間に続けて投稿されています。%(minutes)d分ほど時間を空けて、"
                "もう一度お試しください。"
            )
            % {"minutes": int(RATE_LIMIT_WINDOW.total_seconds() // 60)}
        )


@transaction.atomic
def post_comment(
    *,
    user: Any,
    article: ArticlePage,
    kind: str,
    text: str,
    url: str = "",
    now: datetime | None = None,
) -> Comment:
    """An expert's comment on a live article; the expert's row is locked so the rate holds."""
    now = now or timezone.now()
    _require(user, Action.THINK_POST)
    if not article.live:
        raise CommentNotFound(_("記事が見つかりません。"), status=404)
    expert = _expert_of(user)
    data = clean_comment(kind=kind, text=text, url=url)
    repeated = (
        Comment.objects.visible()
        .filter(expert=expert, article=article, text=data.text)
        .filter(created_at__gt=now - RESUBMIT_WINDOW)
        .first()
    )
    if repeated is not None:
        return repeated
    _check_rate(expert, now)
    return Comment.objects.create(
        expert=expert,
        article=article,
        kind=data.kind,
        text=data.text,
        url=data.url,
        created_at=now,
    )


def _own_comment(user: Any, comment_id: int, *, refusal: str, lock: bool = True) -> Comment:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("ログインしてください。"), status=401)
    comments = Comment.objects.visible().select_related("expert").filter(pk=comment_id)
    comment = (comments.select_for_update() if lock else comments).first()
    if comment is None:
        raise CommentNotFound(_("コメントが見つかりません。"), status=404)
    if comment.expert.user_id is None or comment.expert.user_id != user.pk:
        raise NotAllowed(refusal, status=403)
    return comment


def editable_comment(
    *, user: Any, comment_id: int, now: datetime | None = None, lock: bool = False
) -> Comment:
    """The comment if this user may still correct it; otherwise the refusal to show."""
    _require(user, Action.THINK_POST)
    comment = _own_comment(
        user, comment_id, refusal=_("ご自身のコメントのみ編集できます。"), lock=lock
    )
    if not comment.is_editable(now):
        raise EditWindowClosed(_("投稿から30分を過ぎたコメントは編集できません。"))
    return comment


@transaction.atomic
def edit_comment(
    *,
    user: Any,
    comment_id: int,
    kind: str,
    text: str,
    url: str = "",
    now: datetime | None = None,
) -> Comment:
    """The expert's own comment, corrected within EDIT_WINDOW of posting it."""
    now = now or timezone.now()
    comment = editable_comment(user=user, comment_id=comment_id, now=now, lock=True)
    data = clean_comment(kind=kind, text=text, url=url)
    comment.kind, comment.text, comment.url = data.kind, data.text, data.url
    comment.edited_at = now
    comment.save(update_fields=["kind", "text", "url", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(*, user: Any, comment_id: int) -> int:
    """Removes the expert's own comment (and its 参考になった); returns its article's id."""
    comment = _own_comment(user, comment_id, refusal=_("ご自身のコメントのみ削除できます。"))
    article_id = comment.article_id
    comment.delete()
    return article_id


@dataclass(frozen=True, slots=True)
class HelpfulState:
    comment_id: int
    marked: bool
    count: int


@transaction.atomic
def toggle_helpful(*, user: Any, comment_id: int) -> HelpfulState:
    """Marks the comment 参考になった for this member, or takes the mark back."""
    _require(user, Action.THINK_READ)
    comment = (
        Comment.objects.visible()
        .select_related("expert")
        .filter(pk=comment_id, article__live=True)
        .first()
    )
    if comment is None:
        raise CommentNotFound(_("コメントが見つかりません。"), status=404)
    if comment.expert.user_id == user.pk:
        raise NotAllowed(_("ご自身のコメントには付けられません。"), status=403)
    removed, _kinds = HelpfulMark.objects.filter(comment=comment, user=user).delete()
    marked = not removed
    if marked:
        try:
            with transaction.atomic():
                HelpfulMark.objects.create(comment=comment, user=user)
        except IntegrityError:
            # The same member's other request marked it first: it is marked either way.
            pass
    count = HelpfulMark.objects.filter(comment=comment).count()
    return HelpfulState(comment_id=comment.pk, marked=marked, count=count)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ThinkError(_("理由を入力してください。"), field="reason")
    return reason


def hide_comment(
    *, comment: Comment, editor: Any, reason: str, now: datetime | None = None
) -> Comment:
    """Takes the comment away from every reader at once, noting who did it and why."""
    return _moderate(comment=comment, editor=editor, reason=reason, hide=True, now=now)


def restore_comment(
    *, comment: Comment, editor: Any, reason: str, now: datetime | None = None
) -> Comment:
    return _moderate(comment=comment, editor=editor, reason=reason, hide=False, now=now)


@transaction.atomic
def _moderate(
    *, comment: Comment, editor: Any, reason: str, hide: bool, now: datetime | None
) -> Comment:
    reason = _reason(reason)
    now = now or timezone.now()
    comment.hidden_at = now if hide else None
    comment.moderation_reason = reason
    comment.moderated_by = editor
    comment.moderated_at = now
    comment.save(update_fields=["hidden_at", "moderation_reason", "moderated_by", "moderated_at"])
    action = "think.hide" if hide else "think.restore"
    log(instance=comment, action=action, user=editor, data={"reason": reason})
    return comment


@transaction.atomic
def link_expert_user(*, expert: Expert, user: Any | None) -> Expert:
    """Ties the profile to the account the expert signs in with, which may then post."""
    if user is not None:
        other = Expert.objects.filter(user=user).exclude(pk=expert.pk).first()
        if other is not None:
            raise ThinkError(
                _("このアカウントは、すでに%(name)sさんのプロフィールに結び付いています。")
                % {"name": other.name},
                field="user_email",
            )
        if not user.is_expert:
            user.is_expert = True
            user.save(update_fields=["is_expert"])
    expert.user = user
    expert.save()
    return expert
