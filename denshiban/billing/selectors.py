"""Reads about a reader's membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    CURRENT_STATUSES,
    Campaign,
    CampaignEligibility,
    Payment,
    Plan,
    Subscription,
    SubscriptionStatus,
)


def current_subscription(user: Any) -> Subscription | None:
    """The reader's subscription that is not yet over (at most one exists), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Subscription.objects.select_related("plan", "campaign")
        .filter(user=user, status__in=CURRENT_STATUSES)
        .first()
    )


def is_entitled(subscription: Subscription | None) -> bool:
    """Whether this subscription lets its reader read everything right now."""
    if subscription is None:
        return False
    if subscription.status == SubscriptionStatus.EXPIRED:
        return False
    return subscription.current_period_end > timezone.now()


def is_paid_member(user: Any) -> bool:
    """Trialing, active, past due (within the period) or canceled but not yet at period end.

    Memoized on the user object: the policy asks once per article, a page may ask often.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_denshiban_paid_member", None)
    if cached is None:
        # The same rule as is_entitled, asked of the database without building the object:
        # every signed-in page view asks it.
        cached = Subscription.objects.filter(
            user=user,
            status__in=CURRENT_STATUSES,
            current_period_end__gt=timezone.now(),
        ).exists()
        user._denshiban_paid_member = cached
    return cached


@dataclass(frozen=True)
class CampaignOffer:
    """What the paywall and the subscribe page say about a campaign to one reader."""

    campaign: Campaign
    eligible: bool
    message: str


def running_campaign(now: datetime | None = None) -> Campaign | None:
    """The campaign on offer right now (the most recently started, if several overlap)."""
    now = now or timezone.now()
    return (
        Campaign.objects.filter(starts_at__lte=now, ends_at__gt=now).order_by("-starts_at").first()
    )


def campaign_offer(user: Any, campaign: Campaign, now: datetime | None = None) -> CampaignOffer:
    """Whether `user` may take `campaign`; a guest is shown the offer as open to them."""
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        return CampaignOffer(campaign=campaign, eligible=True, message="")
    paid_before = Subscription.objects.filter(user=user)
    if campaign.eligibility == CampaignEligibility.NOT_PAID_IN_12_MONTHS:
        paid_before = paid_before.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=now - timedelta(days=365))
        )
    if paid_before.exists():
        return CampaignOffer(
            campaign=campaign,
            eligible=False,
            message=_(
                "%(name)sの対象外です。%(name)sは%(rule)sが対象です。"
                "通常料金でお申し込みいただけます。"
            )
            % {"name": campaign.name, "rule": campaign.get_eligibility_display()},
        )
    return CampaignOffer(campaign=campaign, eligible=True, message="")


def available_plans() -> QuerySet[Plan]:
    """Plans a reader may choose on the subscribe page, in their display order."""
    return Plan.objects.filter(is_active=True)


def billing_history(user: Any) -> QuerySet[Payment]:
    """The reader's payments (請求履歴), newest first, for the account page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Payment.objects.none()
    return (
        Payment.objects.filter(subscription__user=user)
        .select_related("subscription__plan")
        .order_by("-created_at", "-pk")
    )
