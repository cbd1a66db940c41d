"""What a reader who may not use a paid feature is told, and the way in.

Every member-only button (follow, save an article or a chart, register a keyword) names a
*feature*; the feature says which permission it needs (access.permissions.Action) and how
the panel explains it (PRODUCT.md's words). Pages, htmx answers and the JSON API all take
their refusal from here, so the words and statuses are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from denshiban.access.permissions import Action, Permission, check
from denshiban.billing.selectors import campaign_offer, running_campaign


@dataclass(frozen=True, slots=True)
class Feature:
    action: Action
    explanation: str


def features() -> dict[str, Feature]:
    """The gated features by name; F2's save and keyword buttons use the same names."""
    follow = _(
        "気になる連載・コラム・キーワードをフォローすると、「Myニュース」でまとめよみができます。"
    )
    return {
        "follow": Feature(Action.FOLLOW, follow),
        "follow-topic": Feature(
            Action.FOLLOW,
            _("トピックをフォローすると、新着情報のチェックやまとめ読みがしやすくなります。"),
        ),
        "save-article": Feature(
            Action.SAVE, _("保存した記事はスマホやタブレットでもご覧いただけます。")
        ),
        "save-chart": Feature(
            Action.SAVE, _("保存した図表はスマホやタブレットでもご覧いただけます。")
        ),
        "keyword": Feature(
            Action.REGISTER_KEYWORD, _("キーワード登録であなたの重要なニュースをハイライト")
        ),
    }


def feature(name: str) -> Feature:
    try:
        return features()[name]
    except KeyError:
        raise ValueError(f"unknown gated feature {name!r}") from None


def follow_feature(kind: str) -> str:
    """A topic's follow button explains itself differently from the others."""
    return "follow-topic" if kind == "topic" else "follow"


# 「エラー」「操作を実行できませんでした。時間を空けて再度お試しください。」
def failure_title() -> str:
    return _("エラー")


def failure_message() -> str:
    return _("操作を実行できませんでした。時間を空けて再度お試しください。")


FAILURE_STATUS = 503


def safe_next(request: Any, candidate: str | None, fallback: str = "/") -> str:
    """A `next` that stays on this site; anything else becomes `fallback`."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?next={quote(next_path)}"


@dataclass(frozen=True, slots=True)
class Gate:
    """The panel's content for one reader and one feature."""

    feature: str
    permission: Permission
    explanation: str
    subscribe_label: str
    subscribe_url: str
    login_url: str

    @property
    def allowed(self) -> bool:
        return self.permission.allowed

    @property
    def status(self) -> int:
        return self.permission.status

    @property
    def message(self) -> str:
        return self.permission.message


def _subscribe_offer(request: Any, member: Any) -> str:
    """The campaign's button (初割で無料体験する) when the reader may take it.

    Remembered on the request: a page with many buttons asks once.
    """
    memo = f"_mynews_subscribe_label_{getattr(member, 'pk', None)}"
    label = getattr(request, memo, None) if request is not None else None
    if label is None:
        campaign = running_campaign()
        label = _("有料会員に申し込む")
        if campaign is not None and campaign_offer(member, campaign).eligible:
            label = campaign.button_label
        if request is not None:
            setattr(request, memo, label)
    return label


def gate_for(request: Any, name: str, *, next_path: str | None = None) -> Gate:
    """The gate for the reader of `request`; a guest's is the same for every guest.

    A reader who may use the feature needs no way in, so nothing more is looked up.
    """
    wanted = feature(name)
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    member = user if signed_in else None
    permission = check(member, wanted.action)
    if permission.allowed:
        return Gate(name, permission, wanted.explanation, "", "", "")
    next_path = next_path or (request.get_full_path() if request is not None else "/")
    subscribe = _with_next(reverse("billing:subscribe"), next_path)
    return Gate(
        feature=name,
        permission=permission,
        explanation=wanted.explanation,
        subscribe_label=_subscribe_offer(request, member),
        # A guest signs up first, then chooses a plan, then comes back here.
        subscribe_url=subscribe if signed_in else _with_next(reverse("account_signup"), subscribe),
        login_url="" if signed_in else _with_next(reverse("account_login"), next_path),
    )
