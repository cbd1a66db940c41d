"""The one reading policy: who may read how much of an article.

Every surface (pages, API, feeds, sitemap, structured data, and later newsletters, search
and the print viewer) asks `can_read` and works from the cut article `reading_for` returns.
Nothing else looks at an article's access level to decide what text to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from denshiban.newsroom.models import AccessLevel

if TYPE_CHECKING:
    from denshiban.newsroom.models import ArticlePage


class Reason(StrEnum):
    FREE_ARTICLE = "free_article"
    MEMBER_READS_MEMBER_ARTICLE = "member_reads_member_article"
    STAFF = "staff"
    SIGN_IN_REQUIRED = "sign_in_required"
    SUBSCRIPTION_REQUIRED = "subscription_required"


class Offer(StrEnum):
    LOGIN = "login"
    SIGN_UP = "sign_up"
    SUBSCRIBE = "subscribe"


@dataclass(frozen=True, slots=True)
class Decision:
    full: bool
    reason: Reason
    offers: tuple[Offer, ...] = ()

    @property
    def paywalled(self) -> bool:
        return not self.full


def _is_member(reader: Any) -> bool:
    return bool(reader is not None and getattr(reader, "is_authenticated", False))


def _is_staff(reader: Any) -> bool:
    return _is_member(reader) and bool(reader.is_active and reader.is_staff)


def can_read(reader: Any, article: ArticlePage) -> Decision:
    """Decide whether `reader` (a user, possibly anonymous, or None) reads `article` in full.

    Until subscriptions exist, paid articles are readable in full by staff only.
    """
    level = article.access_level
    if level == AccessLevel.FREE:
        return Decision(full=True, reason=Reason.FREE_ARTICLE)
    if _is_staff(reader):
        return Decision(full=True, reason=Reason.STAFF)
    if level == AccessLevel.MEMBER:
        if _is_member(reader):
            return Decision(full=True, reason=Reason.MEMBER_READS_MEMBER_ARTICLE)
        return Decision(
            full=False, reason=Reason.SIGN_IN_REQUIRED, offers=(Offer.SIGN_UP, Offer.LOGIN)
        )
    offers = (Offer.SUBSCRIBE,) if _is_member(reader) else (Offer.SUBSCRIBE, Offer.LOGIN)
    return Decision(full=False, reason=Reason.SUBSCRIPTION_REQUIRED, offers=offers)
