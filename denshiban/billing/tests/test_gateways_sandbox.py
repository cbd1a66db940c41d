import pytest
from django.core.exceptions import ImproperlyConfigured

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.exceptions import CardDeclined
from denshiban.billing.gateways import get_gateway
from denshiban.billing.gateways.base import CardDetails, CheckoutRequest
from denshiban.billing.gateways.sandbox import (
    ACCEPTED_TEST_CARDS,
    DECLINED_TEST_CARD,
    NotATestCard,
    SandboxGateway,
    luhn_valid,
)
from denshiban.billing.gateways.stripe import StripeGateway
from denshiban.billing.models import Subscription, SubscriptionStatus

from .factories import CampaignFactory, monthly_plan


def card(number):
    return CardDetails(number=number, exp_month=12, exp_year=2099, security_code="123")


def checkout(user, number, campaign=None):
    return SandboxGateway().start_checkout(
        CheckoutRequest(
            user=user,
            plan=monthly_plan(),
            campaign=campaign,
            idempotency_key="c" * 32,
            success_url="/article/1/",
            cancel_url="/billing/subscribe/",
            card=card(number),
        )
    )


@pytest.mark.parametrize("number", sorted(ACCEPTED_TEST_CARDS | {DECLINED_TEST_CARD}))
def test_documented_test_numbers_pass_luhn(number):
    assert luhn_valid(number)


def test_luhn_catches_a_mistyped_digit():
    assert not luhn_valid("4242424242424241")


@pytest.mark.django_db
def test_test_card_subscribes_and_charges():
    user = UserFactory()
    result = checkout(user, "4242424242424242")
    assert result.redirect_url == ""
    assert result.subscription.status == SubscriptionStatus.ACTIVE
    assert result.subscription.payments.get().gateway_reference == f"sandbox-{'c' * 32}"


@pytest.mark.django_db
def test_test_card_with_campaign_starts_a_trial():
    result = checkout(UserFactory(), "5555555555554444", campaign=CampaignFactory())
    assert result.subscription.status == SubscriptionStatus.TRIALING


@pytest.mark.django_db
def test_declined_card_makes_no_subscription():
    user = UserFactory()
    with pytest.raises(CardDeclined) as declined:
        checkout(user, DECLINED_TEST_CARD)
    assert str(declined.value) == "カードが承認されませんでした。別のカードをお試しください。"
    assert not Subscription.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_number_that_is_not_a_test_card_goes_nowhere():
    user = UserFactory()
    with pytest.raises(NotATestCard, match="テスト用のカード番号"):
        checkout(user, "4111111111111111")
    assert not Subscription.objects.filter(user=user).exists()


def test_gateway_is_chosen_by_setting(settings):
    settings.BILLING_GATEWAY = "sandbox"
    assert isinstance(get_gateway(), SandboxGateway)
    settings.BILLING_GATEWAY = "stripe"
    assert isinstance(get_gateway(), StripeGateway)
    assert isinstance(get_gateway("sandbox"), SandboxGateway)


def test_unknown_gateway_setting_is_a_configuration_error(settings):
    settings.BILLING_GATEWAY = "paypal"
    with pytest.raises(ImproperlyConfigured):
        get_gateway()
