"""Reads about a reader's membership."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import CURRENT_STATUSES, Subscription, SubscriptionStatus


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
        cached = is_entitled(current_subscription(user))
        user._denshiban_paid_member = cached
    return cached
