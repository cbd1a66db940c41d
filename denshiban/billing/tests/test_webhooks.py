"""Stripe webhooks, with payloads signed the way Stripe signs them (no network)."""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing import webhooks
from denshiban.billing.models import (
    Gateway,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)

from .factories import CampaignFactory, SubscriptionFactory, monthly_plan

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret"
S = SubscriptionStatus


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{event_type}_{obj.get('id', '')}",
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
    }


def deliver(client, payload: dict, *, signature: str | None = None):
    body = json.dumps(payload)
    return client.post(
        reverse("billing:stripe_webhook"),
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(body),
    )


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def metadata(user, campaign=None):
    return {
        "user_id": str(user.pk),
        "plan": "monthly",
        "campaign": campaign.slug if campaign else "",
    }


def checkout_session(user, campaign=None, subscription_id="sub_1"):
    return {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(user.pk),
        "customer": "cus_1",
        "subscription": subscription_id,
        "metadata": metadata(user, campaign),
    }


def invoice(user, *, invoice_id="in_1", amount=4300, start=None, days=30, subscription_id="sub_1"):
    start = start or timezone.now()
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": "cus_1",
        "amount_paid": amount,
        "amount_due": amount,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription_id, "metadata": metadata(user)},
        },
        "lines": {
            "data": [{"period": {"start": ts(start), "end": ts(start + timedelta(days=days))}}]
        },
    }


def stripe_subscription(subscription_id="sub_1", status="active", **extra):
    now = timezone.now()
    return {
        "id": subscription_id,
        "object": "subscription",
        "status": status,
        "cancel_at_period_end": False,
        "cancel_at": None,
        "trial_end": None,
        "items": {
            "data": [
                {
                    "current_period_start": ts(now),
                    "current_period_end": ts(now + timedelta(days=30)),
                }
            ]
        },
        **extra,
    }


def stripe_member(status=S.ACTIVE, **fields):
    return SubscriptionFactory(
        status=status, gateway=Gateway.STRIPE, gateway_subscription_id="sub_1", **fields
    )


# Signature


def test_bad_signature_is_refused_and_nothing_stored(client):
    user = UserFactory()
    payload = event("checkout.session.completed", checkout_session(user))
    body = json.dumps(payload)
    response = deliver(client, payload, signature=sign(body, secret="whsec_someone_else"))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert not Subscription.objects.exists()


def test_missing_signature_is_refused(client):
    assert deliver(client, event("invoice.paid", {}), signature="").status_code == 400


def test_old_signature_is_refused_as_a_replay(client):
    payload = event("invoice.paid", {"id": "in_old"})
    stale = sign(json.dumps(payload), timestamp=int(time.time()) - 3600)
    assert deliver(client, payload, signature=stale).status_code == 400


def test_without_a_configured_secret_everything_is_refused(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event("invoice.paid", {"id": "in_1"})
    assert (
        deliver(client, payload, signature=sign(json.dumps(payload), secret="")).status_code == 400
    )


def test_get_is_not_allowed(client):
    assert client.get(reverse("billing:stripe_webhook")).status_code == 405


# Once only


def test_redelivered_event_is_acknowledged_and_not_processed_again(client, monkeypatch):
    handled = []
    monkeypatch.setitem(webhooks.HANDLERS, "invoice.paid", handled.append)
    payload = event("invoice.paid", {"id": "in_1"}, event_id="evt_same")
    first, second = deliver(client, payload), deliver(client, payload)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"detail": "duplicate"}
    assert len(handled) == 1
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.event_type) == ("evt_same", "invoice.paid")
    assert stored.processed_at is not None


def test_unknown_event_type_is_acknowledged_and_stored(client):
    response = deliver(client, event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().event_type == "customer.created"


def test_event_that_breaks_our_rules_is_kept_and_acknowledged(client):
    stripe_member(status=S.EXPIRED)
    response = deliver(client, event("invoice.paid", invoice(UserFactory())))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None


# Each event type


def test_checkout_completed_with_campaign_starts_a_trial(client):
    user, campaign = UserFactory(), CampaignFactory()
    monthly_plan()
    deliver(client, event("checkout.session.completed", checkout_session(user, campaign)))
    subscription = Subscription.objects.get(user=user)
    assert subscription.status == S.TRIALING
    assert subscription.campaign == campaign
    assert (subscription.gateway, subscription.gateway_subscription_id) == ("stripe", "sub_1")
    assert subscription.gateway_customer_id == "cus_1"


def test_checkout_completed_without_campaign_is_active_and_linked_once(client):
    user = UserFactory()
    monthly_plan()
    payload = event("checkout.session.completed", checkout_session(user))
    deliver(client, payload)
    deliver(client, payload | {"id": "evt_other_delivery_same_session"})
    subscription = Subscription.objects.get(user=user)
    assert subscription.status == S.ACTIVE
    assert not subscription.payments.exists()  # the invoice reports the money


def test_zero_yen_trial_invoice_records_nothing(client):
    subscription = stripe_member(status=S.TRIALING)
    deliver(client, event("invoice.paid", invoice(subscription.user, amount=0)))
    subscription.refresh_from_db()
    assert subscription.status == S.TRIALING
    assert not subscription.payments.exists()


def test_first_paid_invoice_ends_the_trial(client):
    subscription = stripe_member(status=S.TRIALING)
    start = datetime(2027, 2, 1, tzinfo=UTC)
    deliver(client, event("invoice.paid", invoice(subscription.user, start=start)))
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE
    assert subscription.current_period_start == start
    assert subscription.current_period_end == start + timedelta(days=30)
    payment = subscription.payments.get()
    assert (payment.amount_yen, payment.status, payment.gateway_reference) == (
        4300,
        PaymentStatus.PAID,
        "in_1",
    )


def test_paid_and_payment_succeeded_for_one_invoice_count_once(client):
    subscription = stripe_member()
    body = invoice(subscription.user, invoice_id="in_renewal")
    deliver(client, event("invoice.paid", body))
    deliver(client, event("invoice.payment_succeeded", body))
    assert subscription.payments.count() == 1


def test_paid_invoice_renews_an_active_member(client):
    subscription = stripe_member()
    next_start = subscription.current_period_end
    deliver(
        client, event("invoice.payment_succeeded", invoice(subscription.user, start=next_start))
    )
    subscription.refresh_from_db()
    assert subscription.current_period_end == next_start.replace(microsecond=0) + timedelta(days=30)


def test_invoice_before_checkout_completion_still_finds_the_reader(client):
    user = UserFactory()
    monthly_plan()
    deliver(client, event("invoice.paid", invoice(user)))
    subscription = Subscription.objects.get(user=user)
    assert subscription.status == S.ACTIVE
    assert subscription.payments.count() == 1
    deliver(client, event("checkout.session.completed", checkout_session(user)))
    assert Subscription.objects.filter(user=user).count() == 1


def test_failed_invoice_makes_the_member_past_due(client):
    subscription = stripe_member()
    deliver(client, event("invoice.payment_failed", invoice(subscription.user, invoice_id="in_f")))
    subscription.refresh_from_db()
    assert subscription.status == S.PAST_DUE
    assert subscription.payments.get().status == PaymentStatus.FAILED


def test_late_payment_brings_a_past_due_member_back(client):
    subscription = stripe_member(status=S.PAST_DUE)
    deliver(client, event("invoice.paid", invoice(subscription.user, invoice_id="in_retry")))
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_subscription_updated_cancel_then_resume_and_dates(client):
    subscription = stripe_member()
    canceled = stripe_subscription(cancel_at_period_end=True)
    deliver(client, event("customer.subscription.updated", canceled, event_id="evt_u1"))
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELED
    expected_end = datetime.fromtimestamp(
        canceled["items"]["data"][0]["current_period_end"], tz=UTC
    )
    assert subscription.current_period_end == expected_end
    deliver(
        client, event("customer.subscription.updated", stripe_subscription(), event_id="evt_u2")
    )
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_subscription_updated_to_past_due(client):
    subscription = stripe_member()
    deliver(client, event("customer.subscription.updated", stripe_subscription(status="past_due")))
    subscription.refresh_from_db()
    assert subscription.status == S.PAST_DUE


def test_subscription_deleted_expires_it(client):
    subscription = stripe_member()
    deleted = stripe_subscription(status="canceled", ended_at=int(time.time()))
    deliver(client, event("customer.subscription.deleted", deleted))
    subscription.refresh_from_db()
    assert subscription.status == S.EXPIRED
    assert subscription.ended_at is not None


def test_events_for_subscriptions_we_do_not_know_are_acknowledged(client):
    response = deliver(
        client, event("customer.subscription.deleted", stripe_subscription("sub_unknown"))
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
