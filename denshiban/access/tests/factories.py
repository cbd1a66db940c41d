"""Readers of every role in PRODUCT.md, made with the ORM (no billing services needed).

`ROLES` names them; `make_user(role)` gives the account (None for guests), and
`grant_all(articles)` the unlock grants a newsletter reader's browser holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from denshiban.access.models import MeteredRead, UnlockGrant
from denshiban.access.readers import keep_unlock_grant
from denshiban.access.selectors import month_of
from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Gateway, Plan, Subscription, SubscriptionStatus
from denshiban.newsroom.models import ArticlePage
from denshiban.newsroom.tests.factories import add_article, build_site

# Role → (subscription status, whether its period is still running).
SUBSCRIBED = {
    "trialing": (SubscriptionStatus.TRIALING, True),
    "active": (SubscriptionStatus.ACTIVE, True),
    "past_due": (SubscriptionStatus.PAST_DUE, True),
    "canceled_before_period_end": (SubscriptionStatus.CANCELED, True),
    "lapsed": (SubscriptionStatus.EXPIRED, False),
}

ROLES = (
    "guest",
    "newsletter_reader",
    "free_member",
    "free_member_used_up",
    *SUBSCRIBED,
    "expert",
    "editor",
)


def monthly_plan() -> Plan:
    plan, _ = Plan.objects.get_or_create(
        code="monthly", defaults={"name": "月額プラン", "interval": "month", "price_yen": 4300}
    )
    return plan


def subscribe(user: Any, status: str, *, running: bool = True) -> Subscription:
    now = timezone.now()
    end = now + timedelta(days=20) if running else now - timedelta(days=10)
    return Subscription.objects.create(
        user=user,
        plan=monthly_plan(),
        status=status,
        gateway=Gateway.SANDBOX,
        started_at=end - timedelta(days=60),
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
        canceled_at=now if status == SubscriptionStatus.CANCELED else None,
        ended_at=end if status == SubscriptionStatus.EXPIRED else None,
    )


def use_up_allowance(user: Any, article: ArticlePage, when: datetime | None = None) -> None:
    """Count `article` as this month's read on the free member's allowance (default 1)."""
    MeteredRead.objects.create(user=user, article=article, month=month_of(when or timezone.now()))


def make_user(role: str, *, spent_on: ArticlePage | None = None) -> Any:
    """The account of `role`; None for guests and newsletter readers (they have none).

    `free_member_used_up` needs `spent_on`, the paid article their allowance went to.
    """
    if role in ("guest", "newsletter_reader"):
        return None
    if role == "editor":
        return UserFactory(is_staff=True)
    if role == "expert":
        return UserFactory(is_expert=True)
    user = UserFactory()
    if role in SUBSCRIBED:
        status, running = SUBSCRIBED[role]
        subscribe(user, status, running=running)
    if role == "free_member_used_up":
        assert spent_on is not None, "a used-up allowance was spent on some article"
        use_up_allowance(user, spent_on)
    return user


def grant_all(articles: Iterable[ArticlePage], *, expires_at: datetime | None = None) -> list[int]:
    return [
        UnlockGrant.objects.create(
            email="letter@example.jp", article=article, expires_at=expires_at
        ).pk
        for article in articles
    ]


def build_site_after_flush() -> dict[str, Any]:
    """`build_site` for transactional tests, whose flush removed Wagtail's root and locale."""
    if not Locale.objects.exists():
        Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    return build_site()


def sign_in(client: Client, role: str, *, grant_articles: Iterable[ArticlePage] = (), site=None):
    """Make the test client read as `role`; returns the user (None for guests).

    A newsletter reader's browser holds grants for `grant_articles` in its session.
    """
    if role == "newsletter_reader":
        session = client.session
        for grant_id in grant_all(grant_articles):
            keep_unlock_grant(session, grant_id)
        session.save()
        return None
    spent_on = None
    if role == "free_member_used_up":
        spent_on = add_article(index=site["index"], section=site["section"], access_level="paid")
    user = make_user(role, spent_on=spent_on)
    if user is not None:
        client.force_login(user)
    return user
