"""Reads for the account page: what a reader's membership is, in the paper's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from denshiban.billing import selectors as billing_selectors
from denshiban.billing.models import (
    BillingInterval,
    Plan,
    Subscription,
    SubscriptionStatus,
)

# What the account page calls each state of a current subscription.
STATUS_LABELS = {
    SubscriptionStatus.TRIALING: gettext_lazy("有料会員(無料体験中)"),
    SubscriptionStatus.ACTIVE: gettext_lazy("有料会員"),
    SubscriptionStatus.PAST_DUE: gettext_lazy("有料会員(支払い遅延)"),
    SubscriptionStatus.CANCELED: gettext_lazy("有料会員(解約予定)"),
}


@dataclass(frozen=True)
class Membership:
    """A reader's membership as the account page shows it."""

    label: str
    subscription: Subscription | None
    next_payment_at: datetime | None = None
    ends_at: datetime | None = None
    ended_at: datetime | None = None
    can_cancel: bool = False
    can_resume: bool = False
    can_subscribe: bool = False

    @property
    def is_paid(self) -> bool:
        return self.subscription is not None

    @property
    def is_lapsed(self) -> bool:
        return self.ended_at is not None

    @property
    def price(self) -> str:
        return plan_price(self.subscription.plan) if self.subscription else ""


def plan_price(plan: Plan) -> str:
    """「月額4,277円(税込)」 or 「年額42,768円(税込)」."""
    period = _("年額") if plan.interval == BillingInterval.YEAR else _("月額")
    return _("%(period)s%(price)s円(税込)") % {"period": period, "price": f"{plan.price_yen:,}"}


def membership(user: Any) -> Membership:
    """Paid (by the state of the current subscription), lapsed, or free."""
    subscription = billing_selectors.current_subscription(user)
    if subscription is not None and billing_selectors.is_entitled(subscription):
        return _paid_membership(subscription)
    last_ended = _last_ended_at(user)
    if last_ended is not None:
        return Membership(
            label=_("以前の有料会員"),
            subscription=None,
            ended_at=last_ended,
            can_subscribe=True,
        )
    return Membership(label=_("無料会員"), subscription=None, can_subscribe=True)


def _paid_membership(subscription: Subscription) -> Membership:
    status = SubscriptionStatus(subscription.status)
    label = str(STATUS_LABELS[status])
    if status == SubscriptionStatus.CANCELED:
        return Membership(
            label=label,
            subscription=subscription,
            ends_at=subscription.current_period_end,
            can_resume=True,
        )
    return Membership(
        label=label,
        subscription=subscription,
        next_payment_at=subscription.current_period_end,
        can_cancel=True,
    )


def _last_ended_at(user: Any) -> datetime | None:
    """When the reader's last paid membership ended, if they ever had one."""
    subscription = Subscription.objects.filter(user=user).order_by("-started_at").first()
    if subscription is None:
        return None
    return subscription.ended_at or subscription.current_period_end
