"""Who may do what besides reading: follow, keywords, save, Think!, subscribe, the admin.

`check(user, action)` answers with the HTTP status and the Japanese message a denied reader
sees (PRODUCT.md's wording). A guest is told to sign in (401), a signed-in reader without
the right is refused (403), a paid member asking to subscribe again gets a conflict (409).

The READ_* actions say whether a role reads articles of that level as of right. The free
member's monthly allowance of paid articles is decided per article by `policy.can_read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from denshiban.billing.selectors import is_paid_member

from .readers import as_reader


class Action(StrEnum):
    READ_FREE = "read_free"
    READ_MEMBER = "read_member"
    READ_PAID = "read_paid"
    FOLLOW = "follow"
    REGISTER_KEYWORD = "register_keyword"
    SAVE = "save"
    THINK_READ = "think_read"
    THINK_POST = "think_post"
    SUBSCRIBE = "subscribe"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Permission:
    allowed: bool
    status: int = 200
    message: str = ""
    title: str = ""


ALLOWED = Permission(allowed=True)
PAID_ONLY = (Action.FOLLOW, Action.REGISTER_KEYWORD, Action.SAVE)


def _titles() -> dict[Action, str]:
    return {
        Action.READ_FREE: _("記事"),
        Action.READ_MEMBER: _("会員限定記事"),
        Action.READ_PAID: _("有料会員限定記事"),
        Action.FOLLOW: _("フォロー"),
        Action.REGISTER_KEYWORD: _("キーワード登録"),
        Action.SAVE: _("保存"),
        Action.THINK_READ: _("Think!"),
        Action.THINK_POST: _("Think!"),
        Action.SUBSCRIBE: _("有料会員のお申し込み"),
        Action.ADMIN: _("編集画面"),
    }


def _not_permitted(action: Action) -> str:
    """The free member's refusal of a paid feature: 「権限不足のため、フォローできません」."""
    verbs = {
        Action.FOLLOW: _("権限不足のため、フォローできません"),
        Action.REGISTER_KEYWORD: _("権限不足のため、キーワード登録できません"),
        Action.SAVE: _("権限不足のため、保存できません"),
    }
    return verbs[action]


def _deny(action: Action, status: int, message: str) -> Permission:
    return Permission(allowed=False, status=status, message=message, title=_titles()[action])


def _signed_in_user(user: Any) -> Any:
    reader = as_reader(user)
    return reader.user if reader.is_signed_in else None


def check(user: Any, action: Action) -> Permission:
    """May `user` (a user, AnonymousUser, None or a Reader) do `action`?"""
    member = _signed_in_user(user)
    if member is None:
        return _for_guest(action)
    if action in PAID_ONLY and not (member.is_staff or is_paid_member(member)):
        return _deny(action, 403, _not_permitted(action))
    if action == Action.READ_PAID and not _reads_everything(member):
        return _deny(action, 403, _("有料会員の方のみお読みいただけます。"))
    if action == Action.THINK_POST and not member.is_expert:
        return _deny(action, 403, _("Think!に投稿できるのはエキスパートの方のみです。"))
    if action == Action.SUBSCRIBE and is_paid_member(member):
        return _deny(action, 409, _("すでに有料会員です。"))
    if action == Action.ADMIN and not member.is_staff:
        return _deny(action, 403, _("編集者の方のみご利用になれます。"))
    return ALLOWED


def _reads_everything(member: Any) -> bool:
    return bool(member.is_staff or member.is_expert or is_paid_member(member))


def _for_guest(action: Action) -> Permission:
    messages = {
        Action.READ_MEMBER: _("会員の方のみお読みいただけます。"),
        Action.READ_PAID: _("有料会員の方のみお読みいただけます。"),
        Action.FOLLOW: _("有料会員の方のみご利用になれます。"),
        Action.REGISTER_KEYWORD: _("有料会員の方のみご利用になれます。"),
        Action.SAVE: _("有料会員の方のみご利用になれます。"),
        Action.THINK_READ: _("会員の方のみご利用になれます。"),
        Action.THINK_POST: _("Think!に投稿できるのはエキスパートの方のみです。"),
        Action.SUBSCRIBE: _("お申し込みにはログインが必要です。"),
        Action.ADMIN: _("編集者の方のみご利用になれます。ログインしてください。"),
    }
    if action == Action.READ_FREE:
        return ALLOWED
    return _deny(action, 401, messages[action])
