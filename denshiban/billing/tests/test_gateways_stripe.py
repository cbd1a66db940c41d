from types import SimpleNamespace

import pytest
import stripe

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.exceptions import AlreadySubscribed, GatewayError, PlanUnavailable
from denshiban.billing.gateways.base import CheckoutRequest
from denshiban.billing.gateways.stripe import StripeGateway, trial_days

from .factories import CampaignFactory, SubscriptionFactory, monthly_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(monkeypatch):
    """Checkout Sessions asked for, answered without network."""
    calls = []

    def create(**params):
        calls.append(params)
        return SimpleNamespace(id="cs_test_1", url="https://checkout.test/pay/cs_test_1")

    monkeypatch.setattr(stripe.checkout.Session, "create", create)
    return calls


def request_for(user, *, campaign=None, plan=None):
    return CheckoutRequest(
        user=user,
        plan=plan or monthly_plan(),
        campaign=campaign,
        idempotency_key="d" * 32,
        success_url="https://denshiban.test/billing/complete/?next=%2Farticle%2F7%2F",
        cancel_url="https://denshiban.test/billing/subscribe/?next=%2Farticle%2F7%2F",
    )


def gateway():
    return StripeGateway(api_key="sk_test_x")


def test_checkout_session_for_a_subscription_and_redirect(sessions):
    user = UserFactory()
    result = gateway().start_checkout(request_for(user))
    assert result.redirect_url == "https://checkout.test/pay/cs_test_1"
    assert result.subscription is None
    params = sessions[0]
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": "price_monthly_test", "quantity": 1}]
    assert params["client_reference_id"] == str(user.pk)
    assert params["success_url"].endswith("next=%2Farticle%2F7%2F")
    assert params["cancel_url"].startswith("https://denshiban.test/billing/subscribe/")
    assert params["idempotency_key"] == "d" * 32
    assert params["api_key"] == "sk_test_x"
    assert "trial_period_days" not in params["subscription_data"]
    assert params["subscription_data"]["metadata"] == {
        "user_id": str(user.pk),
        "plan": "monthly",
        "campaign": "",
    }


def test_eligible_campaign_becomes_stripe_trial_days(sessions):
    campaign = CampaignFactory()
    gateway().start_checkout(request_for(UserFactory(), campaign=campaign))
    data = sessions[0]["subscription_data"]
    assert data["trial_period_days"] == trial_days(2)
    assert 59 <= data["trial_period_days"] <= 62
    assert data["metadata"]["campaign"] == campaign.slug


def test_paid_member_gets_no_session(sessions):
    user = UserFactory()
    SubscriptionFactory(user=user)
    with pytest.raises(AlreadySubscribed):
        gateway().start_checkout(request_for(user))
    assert sessions == []


def test_plan_without_stripe_price_is_refused(sessions):
    plan = monthly_plan()
    plan.stripe_price_id = ""
    plan.save()
    with pytest.raises(PlanUnavailable):
        gateway().start_checkout(request_for(UserFactory(), plan=plan))


def test_stripe_failure_is_a_japanese_gateway_error(monkeypatch):
    def fail(**params):
        raise stripe.APIConnectionError("network down")

    monkeypatch.setattr(stripe.checkout.Session, "create", fail)
    with pytest.raises(GatewayError, match="決済サービスとの通信に失敗しました"):
        gateway().start_checkout(request_for(UserFactory()))


@pytest.mark.parametrize(("method", "flag"), [("cancel_at_period_end", True), ("resume", False)])
def test_cancel_and_resume_tell_stripe(monkeypatch, method, flag):
    calls = []
    monkeypatch.setattr(
        stripe.Subscription, "modify", lambda sid, **params: calls.append((sid, params))
    )
    subscription = SubscriptionFactory(gateway="stripe", gateway_subscription_id="sub_9")
    getattr(gateway(), method)(subscription)
    assert calls == [("sub_9", {"api_key": "sk_test_x", "cancel_at_period_end": flag})]
