from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import CampaignEligibility, SubscriptionStatus
from denshiban.billing.selectors import (
    available_plans,
    billing_history,
    campaign_offer,
    current_subscription,
    is_entitled,
    is_paid_member,
    running_campaign,
)

from .factories import (
    CampaignFactory,
    PaymentFactory,
    SubscriptionFactory,
    monthly_plan,
    yearly_plan,
)

pytestmark = pytest.mark.django_db

S = SubscriptionStatus


def lapsed(user, months_ago):
    """A member whose paid subscription ended `months_ago` months ago."""
    ended = timezone.now() - timedelta(days=31 * months_ago)
    subscription = SubscriptionFactory(
        user=user,
        status=S.EXPIRED,
        started_at=ended - timedelta(days=30),
        ended_at=ended,
    )
    PaymentFactory(subscription=subscription)
    return subscription


def test_never_subscribed_reader_is_eligible():
    offer = campaign_offer(UserFactory(), CampaignFactory())
    assert offer.eligible
    assert offer.message == ""


def test_guest_is_shown_the_campaign_as_open():
    assert campaign_offer(AnonymousUser(), CampaignFactory()).eligible


def test_paid_13_months_ago_is_eligible_when_not_paid_in_12_months():
    user = UserFactory()
    lapsed(user, months_ago=13)
    campaign = CampaignFactory(eligibility=CampaignEligibility.NOT_PAID_IN_12_MONTHS)
    assert campaign_offer(user, campaign).eligible


def test_paid_6_months_ago_is_not_eligible_and_told_why():
    user = UserFactory()
    lapsed(user, months_ago=6)
    campaign = CampaignFactory(eligibility=CampaignEligibility.NOT_PAID_IN_12_MONTHS)
    offer = campaign_offer(user, campaign)
    assert not offer.eligible
    assert offer.message == (
        "初割の対象外です。初割は過去12カ月に有料会員でなかった方が対象です。"
        "通常料金でお申し込みいただけます。"
    )


def test_current_member_is_not_eligible():
    user = UserFactory()
    SubscriptionFactory(user=user)
    assert not campaign_offer(user, CampaignFactory()).eligible


def test_never_subscribed_campaign_refuses_anyone_who_ever_subscribed():
    user = UserFactory()
    lapsed(user, months_ago=13)
    campaign = CampaignFactory(eligibility=CampaignEligibility.NEVER_SUBSCRIBED)
    offer = campaign_offer(user, campaign)
    assert not offer.eligible
    assert "有料会員になったことがない方" in offer.message


def test_never_subscribed_campaign_is_open_to_a_new_reader():
    campaign = CampaignFactory(eligibility=CampaignEligibility.NEVER_SUBSCRIBED)
    assert campaign_offer(UserFactory(), campaign).eligible


def test_running_campaign_is_the_latest_started_one_in_its_period():
    now = timezone.now()
    CampaignFactory(starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=1))
    older = CampaignFactory(starts_at=now - timedelta(days=20))
    newer = CampaignFactory(starts_at=now - timedelta(days=2))
    assert running_campaign() == newer
    assert running_campaign(now=now - timedelta(days=10)) == older


def test_no_running_campaign():
    assert running_campaign() is None


def test_canceled_member_is_paid_until_period_end():
    user = UserFactory()
    subscription = SubscriptionFactory(user=user, status=S.CANCELED)
    assert current_subscription(user) == subscription
    assert is_paid_member(user)
    subscription.current_period_end = timezone.now() - timedelta(minutes=1)
    assert not is_entitled(subscription)


def test_lapsed_member_is_not_paid():
    user = UserFactory()
    lapsed(user, months_ago=1)
    assert current_subscription(user) is None
    assert not is_paid_member(user)


def test_billing_history_is_the_readers_payments_newest_first():
    user = UserFactory()
    old = lapsed(user, months_ago=13).payments.get()
    current = SubscriptionFactory(user=user)
    first = PaymentFactory(subscription=current)
    second = PaymentFactory(subscription=current)
    PaymentFactory()  # someone else's
    assert list(billing_history(user)) == [second, first, old]


def test_billing_history_of_a_guest_is_empty():
    assert list(billing_history(AnonymousUser())) == []


def test_available_plans_are_the_active_ones_in_order():
    monthly, yearly = monthly_plan(), yearly_plan()
    yearly.is_active = False
    yearly.save()
    assert list(available_plans()) == [monthly]
