"""Stripe: a hosted Checkout Session to subscribe; Stripe's webhooks report what followed.

Stripe keeps the card and charges it. We only ask for a session here and move our own
subscription when the webhooks (billing.webhooks) arrive.
"""

from __future__ import annotations

import logging

import stripe
from django.utils import timezone

from .. import services
from ..exceptions import GatewayError, PlanUnavailable
from ..models import Gateway, Subscription
from ..periods import add_months
from .base import CheckoutRequest, CheckoutResult, PaymentGateway

logger = logging.getLogger(__name__)


def trial_days(months: int) -> int:
    """Stripe counts a trial in days; ours is in calendar months from today."""
    now = timezone.now()
    return (add_months(now, months) - now).days


class StripeGateway(PaymentGateway):
    name = Gateway.STRIPE
    collects_card = False

    def __init__(self, *, api_key: str) -> None:
        self.api_key = api_key

    def start_checkout(self, request: CheckoutRequest) -> CheckoutResult:
        plan, campaign = request.plan, request.campaign
        services.ensure_may_subscribe(user=request.user, plan=plan, campaign=campaign)
        if not plan.stripe_price_id:
            raise PlanUnavailable()
        # Copied onto the subscription and its invoices, so any webhook can find the reader.
        metadata = {
            "user_id": str(request.user.pk),
            "plan": plan.code,
            "campaign": campaign.slug if campaign else "",
        }
        subscription_data: dict = {"metadata": metadata}
        if campaign is not None:
            subscription_data["trial_period_days"] = trial_days(campaign.trial_months)
        try:
            session = stripe.checkout.Session.create(
                api_key=self.api_key,
                mode="subscription",
                line_items=[{"price": plan.stripe_price_id, "quantity": 1}],
                client_reference_id=str(request.user.pk),
                customer_email=request.user.email or None,
                metadata=metadata,
                subscription_data=subscription_data,
                success_url=request.success_url,
                cancel_url=request.cancel_url,
                locale="ja",
                # A resubmitted form gets the same session back, not a second one.
                idempotency_key=request.idempotency_key or None,
            )
        except stripe.StripeError as error:
            logger.warning("Stripe Checkout Session failed: %s", error)
            raise GatewayError() from error
        return CheckoutResult(redirect_url=session.url)

    def _set_cancel_at_period_end(self, subscription: Subscription, value: bool) -> None:
        try:
            stripe.Subscription.modify(
                subscription.gateway_subscription_id,
                api_key=self.api_key,
                cancel_at_period_end=value,
            )
        except stripe.StripeError as error:
            logger.warning("Stripe subscription update failed: %s", error)
            raise GatewayError() from error

    def cancel_at_period_end(self, subscription: Subscription) -> None:
        self._set_cancel_at_period_end(subscription, True)

    def resume(self, subscription: Subscription) -> None:
        self._set_cancel_at_period_end(subscription, False)
