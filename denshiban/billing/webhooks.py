"""Stripe's webhooks: verified, stored once, then turned into billing.services calls.

Stripe may deliver an event twice, late, or before an earlier one. The WebhookEvent row
(unique per gateway and event id) makes a redelivery a no-op; invoice ids on Payments make
invoice.paid and invoice.payment_succeeded for the same invoice count once; the metadata
put on the subscription at checkout lets an invoice that arrives first link the reader.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .exceptions import BillingError
from .models import Campaign, Gateway, Plan, Subscription, SubscriptionStatus, WebhookEvent
from .periods import add_months, period_end

logger = logging.getLogger(__name__)

Event = dict[str, Any]

# Stripe's subscription statuses in our terms; "canceled" there means it is over.
STRIPE_STATUSES = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.EXPIRED,
    "incomplete_expired": SubscriptionStatus.EXPIRED,
}


@dataclass(frozen=True)
class Receipt:
    status: int
    detail: str


def _moment(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _invoice_subscription_id(invoice: dict) -> str:
    # Newer API versions put it under parent.subscription_details; older ones at the top.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription") or invoice.get("subscription") or ""


def _invoice_metadata(invoice: dict) -> dict:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("metadata") or {}


def _invoice_period(invoice: dict) -> tuple[datetime | None, datetime | None]:
    lines = (invoice.get("lines") or {}).get("data") or []
    period = lines[0].get("period", {}) if lines else {}
    return _moment(period.get("start")), _moment(period.get("end"))


def _subscription_period(obj: dict) -> tuple[datetime | None, datetime | None]:
    items = (obj.get("items") or {}).get("data") or []
    source = items[0] if items else obj
    return _moment(source.get("current_period_start")), _moment(source.get("current_period_end"))


def _link(*, metadata: dict, customer_id: str, subscription_id: str) -> Subscription | None:
    """Our subscription for a Stripe one, created from checkout metadata if not yet known."""
    known = Subscription.objects.filter(
        gateway=Gateway.STRIPE, gateway_subscription_id=subscription_id
    ).first()
    if known is not None or not subscription_id:
        return known
    user = get_user_model().objects.filter(pk=metadata.get("user_id") or None).first()
    plan = Plan.objects.filter(code=metadata.get("plan", "")).first()
    if user is None or plan is None:
        logger.warning("Stripe subscription %s has no reader or plan we know", subscription_id)
        return None
    campaign = Campaign.objects.filter(slug=metadata.get("campaign") or "").first()
    now = timezone.now()
    trial_end = add_months(now, campaign.trial_months) if campaign else None
    return services.record_gateway_subscription(
        user=user,
        plan=plan,
        campaign=campaign,
        gateway=Gateway.STRIPE,
        customer_id=customer_id,
        subscription_id=subscription_id,
        trial_ends_at=trial_end,
        period_start=now,
        # Provisional until the first invoice or subscription update brings Stripe's dates.
        period_end=trial_end or period_end(plan, now),
        now=now,
    )


def checkout_completed(session: dict) -> None:
    if session.get("mode") != "subscription":
        return
    metadata = dict(session.get("metadata") or {})
    metadata["user_id"] = session.get("client_reference_id") or metadata.get("user_id")
    _link(
        metadata=metadata,
        customer_id=session.get("customer") or "",
        subscription_id=session.get("subscription") or "",
    )


def _invoice_subscription(invoice: dict) -> Subscription | None:
    return _link(
        metadata=_invoice_metadata(invoice),
        customer_id=invoice.get("customer") or "",
        subscription_id=_invoice_subscription_id(invoice),
    )


def invoice_paid(invoice: dict) -> None:
    subscription = _invoice_subscription(invoice)
    amount = invoice.get("amount_paid") or 0
    if subscription is None or amount == 0:
        # A trial starts with a ¥0 invoice: nothing was charged, nothing to record.
        return
    start, end = _invoice_period(invoice)
    services.record_paid_invoice(
        subscription=subscription,
        period_start=start or subscription.current_period_start,
        period_end=end or subscription.current_period_end,
        amount_yen=amount,
        reference=invoice["id"],
    )


def invoice_failed(invoice: dict) -> None:
    subscription = _invoice_subscription(invoice)
    if subscription is None:
        return
    start, end = _invoice_period(invoice)
    services.mark_past_due(
        subscription=subscription,
        amount_yen=invoice.get("amount_due") or 0,
        reference=invoice["id"],
        period_start=start,
        period_end=end,
    )


def _known_subscription(obj: dict) -> Subscription | None:
    return Subscription.objects.filter(
        gateway=Gateway.STRIPE, gateway_subscription_id=obj.get("id", "")
    ).first()


def subscription_updated(obj: dict) -> None:
    subscription = _known_subscription(obj)
    status = STRIPE_STATUSES.get(obj.get("status", ""))
    if subscription is None or status is None:
        return
    start, end = _subscription_period(obj)
    services.sync_from_gateway(
        subscription=subscription,
        status=status,
        # The customer portal may set a cancel date rather than the flag.
        cancel_requested=bool(obj.get("cancel_at_period_end") or obj.get("cancel_at")),
        period_start=start or subscription.current_period_start,
        period_end=end or subscription.current_period_end,
        trial_ends_at=_moment(obj.get("trial_end")),
    )


def subscription_deleted(obj: dict) -> None:
    subscription = _known_subscription(obj)
    if subscription is None or subscription.status == SubscriptionStatus.EXPIRED:
        return
    services.expire(subscription=subscription, now=_moment(obj.get("ended_at")))


HANDLERS: dict[str, Callable[[dict], None]] = {
    "checkout.session.completed": checkout_completed,
    "invoice.paid": invoice_paid,
    "invoice.payment_succeeded": invoice_paid,
    "invoice.payment_failed": invoice_failed,
    "customer.subscription.updated": subscription_updated,
    "customer.subscription.deleted": subscription_deleted,
}


def _process(event: Event) -> None:
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return
    try:
        handler(event["data"]["object"])
    except BillingError as error:
        # A move our rules forbid (say, a payment for an expired membership) will not
        # succeed on redelivery either: keep the event for an operator, acknowledge it.
        logger.error("Stripe event %s (%s) refused: %s", event["id"], event["type"], error)


def receive_stripe_event(*, payload: bytes, signature: str) -> Receipt:
    """Verify, store once, process; the HTTP status Stripe should get back."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        # Without a secret any payload would "verify": refuse everything instead.
        logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
        return Receipt(status=400, detail="not configured")
    try:
        stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError):
        return Receipt(status=400, detail="invalid signature")
    event: Event = json.loads(payload)
    with transaction.atomic():
        stored, _created = WebhookEvent.objects.get_or_create(
            gateway=Gateway.STRIPE,
            event_id=event["id"],
            defaults={"event_type": event["type"], "payload": event},
        )
        stored = WebhookEvent.objects.select_for_update().get(pk=stored.pk)
        if stored.processed_at is not None:
            return Receipt(status=200, detail="duplicate")
        _process(event)
        stored.processed_at = timezone.now()
        stored.save(update_fields=["processed_at"])
    return Receipt(status=200, detail="processed")
