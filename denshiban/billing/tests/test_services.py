from datetime import timedelta

import pytest
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing import services
from denshiban.billing.exceptions import (
    AlreadySubscribed,
    CampaignNotEligible,
    CannotResume,
    IllegalTransition,
    PlanUnavailable,
)
from denshiban.billing.models import (
    CampaignEligibility,
    Gateway,
    Payment,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from denshiban.billing.periods import add_months
from denshiban.billing.selectors import is_entitled, is_paid_member

from .factories import (
    CampaignFactory,
    PaymentFactory,
    SubscriptionFactory,
    monthly_plan,
    yearly_plan,
)

pytestmark = pytest.mark.django_db

S = SubscriptionStatus


def start(user, *, campaign=None, plan=None, key=""):
    return services.start_subscription(
        user=user,
        plan=plan or monthly_plan(),
        campaign=campaign,
        gateway=Gateway.SANDBOX,
        idempotency_key=key,
        payment_reference=f"sandbox-{key}",
    )


def in_state(status, **fields):
    subscription = SubscriptionFactory(**fields)
    if status != S.ACTIVE:
        Subscription.objects.filter(pk=subscription.pk).update(status=status)
        subscription.refresh_from_db()
    return subscription


def paid(subscription, reference="in_1", days=30):
    start = subscription.current_period_end
    return dict(
        subscription=subscription,
        period_start=start,
        period_end=start + timedelta(days=days),
        amount_yen=4300,
        reference=reference,
    )


# Starting


def test_start_without_campaign_is_active_with_a_first_payment():
    user = UserFactory()
    subscription = start(user, key="a" * 32)
    assert subscription.status == S.ACTIVE
    assert subscription.trial_ends_at is None
    assert subscription.current_period_end == add_months(subscription.current_period_start, 1)
    payment = subscription.payments.get()
    assert (payment.amount_yen, payment.status) == (4300, PaymentStatus.PAID)
    assert is_paid_member(user)


def test_start_yearly_plan_runs_a_year():
    subscription = start(UserFactory(), plan=yearly_plan())
    assert subscription.current_period_end == add_months(subscription.current_period_start, 12)
    assert subscription.payments.get().amount_yen == 43000


def test_start_with_eligible_campaign_is_a_free_trial_without_charge():
    campaign = CampaignFactory()
    subscription = start(UserFactory(), campaign=campaign)
    assert subscription.status == S.TRIALING
    assert subscription.campaign == campaign
    assert subscription.trial_ends_at == add_months(subscription.started_at, 2)
    assert subscription.current_period_end == subscription.trial_ends_at
    assert not subscription.payments.exists()


def test_campaign_refused_when_reader_paid_recently():
    user = UserFactory()
    in_state(S.EXPIRED, user=user, ended_at=timezone.now() - timedelta(days=180))
    with pytest.raises(CampaignNotEligible) as refused:
        start(user, campaign=CampaignFactory())
    assert "初割の対象外です" in str(refused.value)
    assert not Subscription.objects.filter(user=user).exclude(status=S.EXPIRED).exists()


def test_campaign_refused_for_a_plan_it_does_not_cover():
    campaign = CampaignFactory(plans=[monthly_plan()])
    with pytest.raises(CampaignNotEligible, match="このプランではご利用いただけません"):
        start(UserFactory(), campaign=campaign, plan=yearly_plan())


def test_campaign_refused_after_it_ended():
    campaign = CampaignFactory(
        starts_at=timezone.now() - timedelta(days=60), ends_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(CampaignNotEligible, match="受付期間外"):
        start(UserFactory(), campaign=campaign)


def test_inactive_plan_is_refused():
    plan = monthly_plan()
    plan.is_active = False
    plan.save()
    with pytest.raises(PlanUnavailable, match="お申し込みいただけません"):
        start(UserFactory(), plan=plan)


def test_entitled_member_cannot_start_a_second_subscription():
    user = UserFactory()
    start(user)
    with pytest.raises(AlreadySubscribed) as refused:
        start(user)
    assert str(refused.value) == "すでに有料会員です。"
    assert Subscription.objects.filter(user=user).count() == 1


def test_same_form_token_returns_the_first_subscription():
    user = UserFactory()
    first = start(user, key="b" * 32)
    again = start(user, key="b" * 32)
    assert again.pk == first.pk
    assert Subscription.objects.filter(user=user).count() == 1
    assert Payment.objects.filter(subscription__user=user).count() == 1


def test_lapsed_member_subscribes_again_with_a_new_subscription():
    user = UserFactory()
    old = in_state(S.EXPIRED, user=user, ended_at=timezone.now() - timedelta(days=3))
    new = start(user)
    assert new.pk != old.pk
    assert new.status == S.ACTIVE
    assert Subscription.objects.filter(user=user).count() == 2


def test_current_subscription_past_its_end_is_expired_before_a_new_one():
    user = UserFactory()
    stale = in_state(
        S.CANCELED, user=user, started_at=timezone.now() - timedelta(days=40)
    )  # ended ten days ago, the tick has not run yet
    new = start(user)
    stale.refresh_from_db()
    assert stale.status == S.EXPIRED
    assert new.status == S.ACTIVE


# Transitions


def test_trial_becomes_active_on_first_paid_invoice():
    subscription = in_state(S.TRIALING)
    services.activate(**paid(subscription))
    assert subscription.status == S.ACTIVE
    assert subscription.payments.get().status == PaymentStatus.PAID


def test_active_becomes_past_due_on_failed_invoice():
    subscription = in_state(S.ACTIVE)
    services.mark_past_due(subscription=subscription, amount_yen=4300, reference="in_f")
    assert subscription.status == S.PAST_DUE
    assert subscription.payments.get().status == PaymentStatus.FAILED


def test_trial_becomes_past_due_when_first_invoice_fails():
    subscription = in_state(S.TRIALING)
    services.mark_past_due(subscription=subscription, amount_yen=4300, reference="in_f")
    assert subscription.status == S.PAST_DUE


def test_same_failed_invoice_is_recorded_once():
    subscription = in_state(S.ACTIVE)
    for _ in range(2):
        services.mark_past_due(subscription=subscription, amount_yen=4300, reference="in_f")
    assert subscription.payments.count() == 1


def test_past_due_becomes_active_when_paid():
    subscription = in_state(S.PAST_DUE)
    services.activate(**paid(subscription))
    assert subscription.status == S.ACTIVE


def test_renewal_moves_the_period_on_and_records_payment():
    subscription = in_state(S.ACTIVE)
    old_end = subscription.current_period_end
    services.renew(**paid(subscription))
    assert subscription.current_period_start == old_end
    assert subscription.current_period_end == old_end + timedelta(days=30)
    assert subscription.payments.get().gateway_reference == "in_1"


def test_same_paid_invoice_is_counted_once():
    subscription = in_state(S.ACTIVE)
    arguments = paid(subscription)
    services.record_paid_invoice(**arguments)
    services.record_paid_invoice(**arguments)
    assert subscription.payments.count() == 1


@pytest.mark.parametrize("status", [S.TRIALING, S.ACTIVE, S.PAST_DUE])
def test_cancel_keeps_access_until_period_end(status):
    subscription = in_state(status)
    services.cancel_at_period_end(subscription=subscription)
    assert subscription.status == S.CANCELED
    assert subscription.canceled_at is not None
    assert is_entitled(subscription)


@pytest.mark.parametrize(
    ("trial", "last_payment", "expected"),
    [
        (True, None, S.TRIALING),
        (False, PaymentStatus.PAID, S.ACTIVE),
        (False, PaymentStatus.FAILED, S.PAST_DUE),
    ],
)
def test_resume_returns_to_the_state_before_cancel(trial, last_payment, expected):
    subscription = in_state(S.CANCELED)
    if trial:
        subscription.trial_ends_at = subscription.current_period_end
        subscription.save()
    if last_payment:
        PaymentFactory(subscription=subscription, status=last_payment)
    services.resume(subscription=subscription)
    assert subscription.status == expected
    assert subscription.canceled_at is None


def test_resume_after_period_end_is_refused():
    subscription = in_state(S.CANCELED, started_at=timezone.now() - timedelta(days=40))
    with pytest.raises(CannotResume, match="改めてお申し込みください"):
        services.resume(subscription=subscription)


@pytest.mark.parametrize("status", [S.TRIALING, S.ACTIVE, S.PAST_DUE, S.EXPIRED])
def test_resume_of_a_subscription_not_canceled_is_refused(status):
    with pytest.raises(IllegalTransition):
        services.resume(subscription=in_state(status))


@pytest.mark.parametrize("status", [S.TRIALING, S.ACTIVE, S.PAST_DUE, S.CANCELED])
def test_any_current_subscription_can_expire(status):
    subscription = in_state(status)
    services.expire(subscription=subscription)
    assert subscription.status == S.EXPIRED
    assert subscription.ended_at is not None
    assert not is_entitled(subscription)


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (S.EXPIRED, lambda s: services.expire(subscription=s)),
        (S.EXPIRED, lambda s: services.activate(**paid(s))),
        (S.EXPIRED, lambda s: services.cancel_at_period_end(subscription=s)),
        (S.EXPIRED, lambda s: services.mark_past_due(subscription=s, amount_yen=1, reference="x")),
        (S.CANCELED, lambda s: services.cancel_at_period_end(subscription=s)),
        (S.CANCELED, lambda s: services.mark_past_due(subscription=s, amount_yen=1, reference="x")),
        (S.CANCELED, lambda s: services.record_paid_invoice(**paid(s))),
        (S.ACTIVE, lambda s: services.activate(**paid(s))),
        (S.ACTIVE, lambda s: services.resume(subscription=s)),
        (S.TRIALING, lambda s: services.renew(**paid(s))),
        (S.PAST_DUE, lambda s: services.renew(**paid(s))),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(status, call):
    subscription = in_state(status)
    with pytest.raises(IllegalTransition) as refused:
        call(subscription)
    subscription.refresh_from_db()
    assert subscription.status == status
    assert not subscription.payments.exists()
    assert str(refused.value).endswith("。")  # a sentence the reader can be shown


# Gateway-driven


def gateway_subscription(user, subscription_id="sub_1", trial_days=None):
    now = timezone.now()
    trial_end = now + timedelta(days=trial_days) if trial_days else None
    return services.record_gateway_subscription(
        user=user,
        plan=monthly_plan(),
        campaign=CampaignFactory() if trial_days else None,
        gateway=Gateway.STRIPE,
        customer_id="cus_1",
        subscription_id=subscription_id,
        trial_ends_at=trial_end,
        period_start=now,
        period_end=trial_end or now + timedelta(days=30),
    )


def test_gateway_subscription_is_recorded_once_per_gateway_id():
    user = UserFactory()
    first = gateway_subscription(user, trial_days=61)
    again = gateway_subscription(user, trial_days=61)
    assert again.pk == first.pk
    assert first.status == S.TRIALING
    assert not first.payments.exists()


def test_gateway_subscription_without_trial_is_active():
    assert gateway_subscription(UserFactory()).status == S.ACTIVE


def test_sync_from_gateway_follows_cancel_and_resume_and_dates():
    subscription = gateway_subscription(UserFactory())
    new_end = subscription.current_period_end + timedelta(days=1)
    common = dict(
        subscription=subscription,
        status=S.ACTIVE,
        period_start=subscription.current_period_start,
        period_end=new_end,
        trial_ends_at=None,
    )
    services.sync_from_gateway(**common, cancel_requested=True)
    assert (subscription.status, subscription.current_period_end) == (S.CANCELED, new_end)
    services.sync_from_gateway(**common, cancel_requested=False)
    assert subscription.status == S.ACTIVE
    services.sync_from_gateway(**common | {"status": S.PAST_DUE}, cancel_requested=False)
    assert subscription.status == S.PAST_DUE
    services.sync_from_gateway(**common | {"status": S.EXPIRED}, cancel_requested=False)
    assert subscription.status == S.EXPIRED


# The tick


def test_tick_expires_canceled_subscription_past_period_end():
    subscription = in_state(S.CANCELED, started_at=timezone.now() - timedelta(days=31))
    report = services.run_billing_tick()
    subscription.refresh_from_db()
    assert subscription.status == S.EXPIRED
    assert report.expired == 1


def test_tick_turns_a_finished_sandbox_trial_into_a_paid_period_once():
    subscription = in_state(S.TRIALING, started_at=timezone.now() - timedelta(days=31))
    first = services.run_billing_tick()
    second = services.run_billing_tick()
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE
    assert subscription.current_period_end > timezone.now()
    assert subscription.payments.filter(status=PaymentStatus.PAID).count() == 1
    assert (first.renewed, second.renewed) == (1, 0)


def test_tick_leaves_a_stripe_subscription_to_stripe():
    subscription = in_state(
        S.ACTIVE, gateway=Gateway.STRIPE, started_at=timezone.now() - timedelta(days=31)
    )
    services.run_billing_tick()
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE
    assert not is_entitled(subscription)  # its period is over until Stripe says otherwise


def test_tick_does_not_touch_subscriptions_within_their_period():
    subscription = in_state(S.CANCELED)
    assert services.run_billing_tick().expired == 0
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELED


def test_never_subscribed_campaign_refuses_anyone_who_ever_subscribed():
    user = UserFactory()
    in_state(S.EXPIRED, user=user, ended_at=timezone.now() - timedelta(days=800))
    campaign = CampaignFactory(eligibility=CampaignEligibility.NEVER_SUBSCRIBED)
    with pytest.raises(CampaignNotEligible):
        start(user, campaign=campaign)
