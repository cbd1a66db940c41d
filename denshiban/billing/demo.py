"""The demo paper's plans, its 初割 campaign and the demo members' subscriptions.

Called by seed_demo after the demo accounts exist. Plans are keyed by code, the campaign by
slug and a demo subscription by its gateway id `demo-<username>`. Dates count back from today
(Japan time), so a run on the same day changes nothing and a run on a later day brings the
demo up to date: the paid member always started five months ago, the trial ten days ago.
Subscriptions a demo account took while someone played with the demo are removed, so that each
account shows its role again (the free member may take 初割 again). Local demo only.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from denshiban.accounts.management.demo import DEMO_ACCOUNTS
from denshiban.core.dates import JST

from .models import (
    BillingInterval,
    Campaign,
    CampaignEligibility,
    Gateway,
    Payment,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)

MONTHLY = "monthly"
YEARLY = "yearly"
CAMPAIGN_SLUG = "hatsuwari"
DEMO_GATEWAY_PREFIX = "demo-"
# Demo dates fall at this time of day in Japan, on the last day it has been reached.
ANCHOR_TIME = time(9, 0)

PLANS: tuple[dict[str, Any], ...] = (
    {
        "code": MONTHLY,
        "name": "月額プラン",
        "interval": BillingInterval.MONTH,
        "price_yen": 4_300,
        "description": "毎月自動で更新されます。いつでも解約できます。",
        "position": 1,
    },
    {
        "code": YEARLY,
        "name": "年額プラン",
        "interval": BillingInterval.YEAR,
        "price_yen": 43_000,
        "description": "1年分をまとめてお支払い。月額プランの12カ月分より8,600円お得です。",
        "position": 2,
    },
)

CAMPAIGN: dict[str, Any] = {
    "name": "初割",
    "headline": "初割ですべての記事が読み放題",
    "offer": "有料会員が2カ月無料",
    "button_label": "初割で無料体験する",
    "trial_months": 2,
    "eligibility": CampaignEligibility.NOT_PAID_IN_12_MONTHS,
}
CAMPAIGN_STARTED_DAYS_AGO = 30
CAMPAIGN_ENDS_IN_DAYS = 60


@dataclass
class BillingChanges:
    """What a run created or changed, by Japanese label (seed_demo prints it)."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class _PaymentLine:
    amount_yen: int
    description: str
    period_start: datetime
    period_end: datetime

    def values(self) -> tuple:
        return (
            self.amount_yen,
            PaymentStatus.PAID,
            self.description,
            self.period_start,
            self.period_end,
        )


@dataclass(frozen=True)
class _DemoSubscription:
    fields: dict[str, Any]
    payments: list[_PaymentLine]


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (or earlier), the last day of a shorter month."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def demo_anchor(now: datetime) -> datetime:
    """Today at ANCHOR_TIME in Japan, or yesterday if that is still to come."""
    local = now.astimezone(JST)
    anchor = datetime.combine(local.date(), ANCHOR_TIME, tzinfo=JST)
    return anchor if anchor <= local else anchor - timedelta(days=1)


@transaction.atomic
def seed_billing(*, now: datetime) -> BillingChanges:
    changes = BillingChanges()
    anchor = demo_anchor(now)
    plans = {spec["code"]: _ensure_plan(spec, changes) for spec in PLANS}
    campaign = _ensure_campaign(anchor, plans, changes)
    wanted = _demo_subscriptions(anchor, plans, campaign)
    user_model = get_user_model()
    for username in (account.username for account in DEMO_ACCOUNTS):
        user = user_model.objects.filter(username=username).first()
        if user is not None:
            _ensure_subscription(user, wanted.get(username), changes)
    return changes


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _ensure_plan(spec: dict[str, Any], changes: BillingChanges) -> Plan:
    values = {**spec, "is_active": True}
    plan = Plan.objects.filter(code=spec["code"]).first()
    if plan is None:
        changes.created["プラン"] += 1
        return Plan.objects.create(**values)
    if _assign(plan, values):
        plan.save()
        changes.updated["プラン"] += 1
    return plan


def _ensure_campaign(anchor: datetime, plans: dict[str, Plan], changes: BillingChanges) -> Campaign:
    values = {
        **CAMPAIGN,
        "starts_at": anchor - timedelta(days=CAMPAIGN_STARTED_DAYS_AGO),
        "ends_at": anchor + timedelta(days=CAMPAIGN_ENDS_IN_DAYS),
    }
    campaign = Campaign.objects.filter(slug=CAMPAIGN_SLUG).first()
    if campaign is None:
        campaign = Campaign.objects.create(slug=CAMPAIGN_SLUG, **values)
        campaign.plans.set(plans.values())
        changes.created["キャンペーン"] += 1
        return campaign
    plans_differ = set(campaign.plans.values_list("pk", flat=True)) != {
        plan.pk for plan in plans.values()
    }
    if _assign(campaign, values) or plans_differ:
        campaign.save()
        campaign.plans.set(plans.values())
        changes.updated["キャンペーン"] += 1
    return campaign


def _demo_subscriptions(
    anchor: datetime, plans: dict[str, Plan], campaign: Campaign
) -> dict[str, _DemoSubscription]:
    """By username: the paid member, the member in trial and the lapsed member."""
    monthly, yearly = plans[MONTHLY], plans[YEARLY]

    paid_start = add_months(anchor, -5)
    paid_periods = [(add_months(paid_start, n), add_months(paid_start, n + 1)) for n in range(6)]

    trial_start = anchor - timedelta(days=10)
    trial_end = add_months(trial_start, campaign.trial_months)

    lapsed_end = add_months(anchor, -3)
    lapsed_start = add_months(lapsed_end, -12)

    return {
        "paid": _DemoSubscription(
            fields={
                "plan": monthly,
                "campaign": None,
                "status": SubscriptionStatus.ACTIVE,
                "started_at": paid_start,
                "trial_ends_at": None,
                "current_period_start": paid_periods[-1][0],
                "current_period_end": paid_periods[-1][1],
                "canceled_at": None,
                "ended_at": None,
            },
            payments=[
                _PaymentLine(monthly.price_yen, monthly.name, start, end)
                for start, end in paid_periods
            ],
        ),
        "trial": _DemoSubscription(
            fields={
                "plan": monthly,
                "campaign": campaign,
                "status": SubscriptionStatus.TRIALING,
                "started_at": trial_start,
                "trial_ends_at": trial_end,
                "current_period_start": trial_start,
                "current_period_end": trial_end,
                "canceled_at": None,
                "ended_at": None,
            },
            payments=[],
        ),
        "lapsed": _DemoSubscription(
            fields={
                "plan": yearly,
                "campaign": None,
                "status": SubscriptionStatus.EXPIRED,
                "started_at": lapsed_start,
                "trial_ends_at": None,
                "current_period_start": lapsed_start,
                "current_period_end": lapsed_end,
                # Canceled a month before the year was up; it ran to its end.
                "canceled_at": add_months(lapsed_end, -1),
                "ended_at": lapsed_end,
            },
            payments=[_PaymentLine(yearly.price_yen, yearly.name, lapsed_start, lapsed_end)],
        ),
    }


def _ensure_subscription(
    user: Any, wanted: _DemoSubscription | None, changes: BillingChanges
) -> None:
    """Give `user` exactly the demo subscription (or none), with its billing history."""
    gateway_id = f"{DEMO_GATEWAY_PREFIX}{user.username}"
    others = Subscription.objects.filter(user=user)
    if wanted is not None:
        others = others.exclude(gateway_subscription_id=gateway_id)
    removed, _by_model = others.delete()
    if removed:
        changes.updated["購読"] += 1
    if wanted is None:
        return

    subscription = Subscription.objects.filter(
        user=user, gateway_subscription_id=gateway_id
    ).first()
    values = {
        **wanted.fields,
        "gateway": Gateway.SANDBOX,
        "gateway_customer_id": gateway_id,
    }
    if subscription is None:
        subscription = Subscription.objects.create(
            user=user, gateway_subscription_id=gateway_id, **values
        )
        changes.created["購読"] += 1
    elif _assign(subscription, values):
        subscription.save()
        changes.updated["購読"] += 1
    _ensure_payments(subscription, wanted.payments, changes)


def _ensure_payments(
    subscription: Subscription, lines: list[_PaymentLine], changes: BillingChanges
) -> None:
    """The billing history, each line dated when it was charged (its period's start)."""
    stored = [
        (
            (p.amount_yen, p.status, p.description, p.period_start, p.period_end),
            p.created_at,
        )
        for p in subscription.payments.order_by("period_start", "pk")
    ]
    if stored == [(line.values(), line.period_start) for line in lines]:
        return
    if stored:
        changes.updated["支払い"] += 1
    subscription.payments.all().delete()
    for number, line in enumerate(lines, start=1):
        payment = Payment.objects.create(
            subscription=subscription,
            amount_yen=line.amount_yen,
            status=PaymentStatus.PAID,
            description=line.description,
            period_start=line.period_start,
            period_end=line.period_end,
            gateway_reference=f"{subscription.gateway_subscription_id}-{number}",
        )
        # created_at is auto_now_add: the charge date is set after the row exists.
        Payment.objects.filter(pk=payment.pk).update(created_at=line.period_start)
        if not stored:
            changes.created["支払い"] += 1
