"""Factories for billing: the two plans, the 初割 campaign, subscriptions and payments."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import (
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


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("code",)

    code = "monthly"
    name = "月払いプラン"
    interval = BillingInterval.MONTH
    price_yen = 4300
    stripe_price_id = "price_monthly_test"
    position = 1


def monthly_plan() -> Plan:
    return PlanFactory()


def yearly_plan() -> Plan:
    return PlanFactory(
        code="yearly",
        name="年払いプラン",
        interval=BillingInterval.YEAR,
        price_yen=43000,
        stripe_price_id="price_yearly_test",
        position=2,
    )


class CampaignFactory(factory.django.DjangoModelFactory):
    """初割, running now, open to readers who have not paid in the last 12 months."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = "初割"
    slug = factory.Sequence(lambda n: f"hatsuwari-{n}")
    headline = "初割ですべての記事が読み放題"
    offer = "有料会員が2カ月無料"
    button_label = "初割で無料体験する"
    trial_months = 2
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    eligibility = CampaignEligibility.NOT_PAID_IN_12_MONTHS

    @factory.post_generation
    def plans(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.plans.set(extracted if extracted is not None else [monthly_plan(), yearly_plan()])


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """An active monthly sandbox subscription in its first half-month."""

    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    plan = factory.LazyFunction(monthly_plan)
    status = SubscriptionStatus.ACTIVE
    gateway = Gateway.SANDBOX
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=15))
    current_period_start = factory.SelfAttribute("started_at")
    current_period_end = factory.LazyAttribute(lambda o: o.started_at + timedelta(days=30))


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    subscription = factory.SubFactory(SubscriptionFactory)
    amount_yen = 4300
    status = PaymentStatus.PAID
    description = "月払いプラン 利用料"
    period_start = factory.SelfAttribute("subscription.current_period_start")
    period_end = factory.SelfAttribute("subscription.current_period_end")
    gateway_reference = factory.Sequence(lambda n: f"ref-{n}")
