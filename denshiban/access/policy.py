"""The one reading policy: who may read how much of an article.

Every surface (pages, API, feeds, sitemap, structured data, and later newsletters, search
and the print viewer) asks `can_read` and works from the cut article `reading_for` returns.
Nothing else looks at an article's access level to decide what text to show.

`can_read` only reads. Opening an article on a free member's monthly allowance is recorded
by `access.services.open_article`, which the article page and the API detail call.

| reader                                  | 無料 | 会員限定 | 有料会員限定                  |
|-----------------------------------------|------|----------|-------------------------------|
| guest                                   | full | lead     | lead                          |
| guest with a valid grant for it         | full | full     | full                          |
| free member (lapsed members included)   | full | full     | full within the allowance     |
| paid member (trial, active, past due,   | full | full     | full                          |
|   canceled before the period end)       |      |          |                               |
| expert, editor (staff)                  | full | full     | full                          |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from denshiban.billing.selectors import is_paid_member
from denshiban.newsroom.models import AccessLevel

from . import selectors
from .readers import Reader, as_reader

if TYPE_CHECKING:
    from denshiban.newsroom.models import ArticlePage


class Reason(StrEnum):
    FREE_ARTICLE = "free_article"
    MEMBER_READS_MEMBER_ARTICLE = "member_reads_member_article"
    PAID_MEMBER = "paid_member"
    STAFF = "staff"
    EXPERT = "expert"
    NEWSLETTER_UNLOCK = "newsletter_unlock"
    MONTHLY_ALLOWANCE = "monthly_allowance"
    SIGN_IN_REQUIRED = "sign_in_required"
    SUBSCRIPTION_REQUIRED = "subscription_required"


class Offer(StrEnum):
    """Ways in that the paywall shows. SUBSCRIBE is the running campaign when there is one."""

    SUBSCRIBE = "subscribe"
    SIGN_UP = "sign_up"
    LOGIN = "login"
    NEWSLETTER_UNLOCK = "newsletter_unlock"


@dataclass(frozen=True, slots=True)
class Decision:
    """How much of one article one reader gets, and why.

    `allowance_remaining` is set for free members only: the paid articles they may still
    open this month, this one taken into account. `counts_new_read` says that reading this
    article in full uses one of them (its first read this month).
    """

    full: bool
    reason: Reason
    offers: tuple[Offer, ...] = ()
    allowance_remaining: int | None = None
    counts_new_read: bool = False

    @property
    def paywalled(self) -> bool:
        return not self.full

    @property
    def is_free_member(self) -> bool:
        return self.allowance_remaining is not None


def monthly_allowance() -> int:
    return max(int(settings.FREE_MEMBER_MONTHLY_ALLOWANCE), 0)


def _privileged_reason(user: Any) -> Reason | None:
    """Readers who read everything: editors, experts (they comment on it), paid members."""
    if user.is_staff:
        return Reason.STAFF
    if getattr(user, "is_expert", False):
        return Reason.EXPERT
    if is_paid_member(user):
        return Reason.PAID_MEMBER
    return None


def _guest_offers(article: ArticlePage, *first: Offer) -> tuple[Offer, ...]:
    unlock = (Offer.NEWSLETTER_UNLOCK,) if article.newsletter_unlock else ()
    return (*first, Offer.LOGIN, *unlock)


def _for_guest(reader: Reader, article: ArticlePage, now: datetime) -> Decision:
    if article.access_level == AccessLevel.FREE:
        return Decision(full=True, reason=Reason.FREE_ARTICLE)
    if selectors.has_valid_grant(reader.unlock_grant_ids, article.pk, now):
        return Decision(full=True, reason=Reason.NEWSLETTER_UNLOCK)
    if article.access_level == AccessLevel.MEMBER:
        return Decision(
            full=False,
            reason=Reason.SIGN_IN_REQUIRED,
            offers=_guest_offers(article, Offer.SIGN_UP),
        )
    return Decision(
        full=False,
        reason=Reason.SUBSCRIPTION_REQUIRED,
        offers=_guest_offers(article, Offer.SUBSCRIBE),
    )


def _for_free_member(reader: Reader, article: ArticlePage, now: datetime) -> Decision:
    counted = selectors.metered_article_ids(reader.user, selectors.month_of(now))
    remaining = max(monthly_allowance() - len(counted), 0)
    if article.access_level == AccessLevel.FREE:
        return Decision(full=True, reason=Reason.FREE_ARTICLE, allowance_remaining=remaining)
    if article.access_level == AccessLevel.MEMBER:
        return Decision(
            full=True, reason=Reason.MEMBER_READS_MEMBER_ARTICLE, allowance_remaining=remaining
        )
    if article.pk in counted:
        # Re-reading an article already counted this month costs nothing.
        return Decision(full=True, reason=Reason.MONTHLY_ALLOWANCE, allowance_remaining=remaining)
    if selectors.has_valid_grant(reader.unlock_grant_ids, article.pk, now):
        return Decision(full=True, reason=Reason.NEWSLETTER_UNLOCK, allowance_remaining=remaining)
    if remaining > 0:
        return Decision(
            full=True,
            reason=Reason.MONTHLY_ALLOWANCE,
            allowance_remaining=remaining - 1,
            counts_new_read=True,
        )
    return Decision(
        full=False,
        reason=Reason.SUBSCRIPTION_REQUIRED,
        offers=(Offer.SUBSCRIBE,),
        allowance_remaining=0,
    )


def can_read(reader: Any, article: ArticlePage, *, now: datetime | None = None) -> Decision:
    """Decide whether `reader` reads `article` in full.

    `reader` is a `Reader`, a user (possibly anonymous) or None (a guest). Never writes.
    """
    reader = as_reader(reader)
    now = now or timezone.now()
    if not reader.is_signed_in:
        return _for_guest(reader, article, now)
    privileged = _privileged_reason(reader.user)
    if article.access_level == AccessLevel.FREE and privileged is not None:
        return Decision(full=True, reason=Reason.FREE_ARTICLE)
    if privileged is not None:
        if article.access_level == AccessLevel.MEMBER and privileged == Reason.PAID_MEMBER:
            return Decision(full=True, reason=Reason.MEMBER_READS_MEMBER_ARTICLE)
        return Decision(full=True, reason=privileged)
    return _for_free_member(reader, article, now)
