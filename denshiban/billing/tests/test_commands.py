from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from denshiban.billing.models import PaymentStatus, SubscriptionStatus

from .factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

S = SubscriptionStatus


def tick(*args):
    out = StringIO()
    call_command("billing_tick", *args, stdout=out)
    return out.getvalue()


def ended(status):
    return SubscriptionFactory(status=status, started_at=timezone.now() - timedelta(days=31))


def test_billing_tick_expires_and_renews_what_is_due():
    canceled, trial = ended(S.CANCELED), ended(S.TRIALING)
    current = SubscriptionFactory(status=S.CANCELED)
    assert tick() == "expired 1, renewed 1\n"
    for subscription in (canceled, trial, current):
        subscription.refresh_from_db()
    assert canceled.status == S.EXPIRED
    assert trial.status == S.ACTIVE
    assert trial.payments.get().status == PaymentStatus.PAID
    assert current.status == S.CANCELED


def test_billing_tick_run_twice_does_nothing_more():
    subscription = ended(S.ACTIVE)
    tick()
    assert tick() == "expired 0, renewed 0\n"
    assert subscription.payments.count() == 1


def test_billing_tick_can_be_queued_for_the_worker():
    subscription = ended(S.PAST_DUE)
    # Test settings run queued tasks at once; production queues them for db_worker.
    assert tick("--enqueue").startswith("enqueued ")
    subscription.refresh_from_db()
    assert subscription.status == S.EXPIRED
