from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from denshiban.billing.models import (
    Gateway,
    Payment,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from denshiban.core.dates import JST

from .factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
# Dates that read plainly on the page whatever day the tests run.
PERIOD_END = datetime(2099, 12, 29, 9, 0, tzinfo=JST)


@pytest.fixture
def plan(db):
    return Plan.objects.create(
        code="monthly", name="月払いプラン", interval="month", price_yen=4277, position=1
    )


def subscribe(user, plan, status, *, period_end=PERIOD_END, **fields):
    start = period_end - timedelta(days=30)
    return Subscription.objects.create(
        user=user,
        plan=plan,
        status=status,
        gateway=Gateway.SANDBOX,
        started_at=start,
        current_period_start=start,
        current_period_end=period_end,
        **fields,
    )


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    return response.content.decode()


def test_guest_is_sent_to_login(client):
    response = client.get(ACCOUNT)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={ACCOUNT}"


def test_account_page_is_private_and_never_stored(client, member):
    client.force_login(member)

    response = client.get(ACCOUNT)

    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_free_member_sees_free_status_and_a_way_to_subscribe(client, member):
    html = page(client, member)

    assert "無料会員" in html
    assert f'href="{reverse("billing:subscribe")}"' in html
    assert reverse("billing:cancel") not in html
    assert "お支払いの履歴はありません。" in html
    assert "登録中のニュースレターはありません。" in html
    assert f'href="{reverse("account_email")}"' in html
    assert f'href="{reverse("account_change_password")}"' in html


def test_trialing_member_sees_trial_plan_next_payment_and_cancel(client, member, plan):
    subscribe(member, plan, SubscriptionStatus.TRIALING, trial_ends_at=PERIOD_END)

    html = page(client, member)

    assert "有料会員(無料体験中)" in html
    assert "月払いプラン 月額4,277円(税込)" in html
    assert "次回のお支払い" in html
    assert "2099年12月29日" in html
    assert f'action="{reverse("billing:cancel")}"' in html
    assert reverse("billing:subscribe") not in html


def test_active_member_sees_next_payment_history_and_cancel(client, member, plan):
    subscription = subscribe(member, plan, SubscriptionStatus.ACTIVE)
    Payment.objects.create(
        subscription=subscription,
        amount_yen=4277,
        status=PaymentStatus.PAID,
        description="月払いプラン 12月分",
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
    )

    html = page(client, member)

    assert "有料会員" in html
    assert "(解約予定)" not in html
    assert "次回のお支払い" in html
    assert "2099年12月29日" in html
    assert "月払いプラン 12月分" in html
    assert "4,277円" in html
    assert "支払い済み" in html
    cancel = html[html.index(f'action="{reverse("billing:cancel")}"') :]
    assert 'name="csrfmiddlewaretoken"' in cancel[: cancel.index("</form>")]
    assert reverse("billing:resume") not in html


def test_member_canceled_at_period_end_sees_end_date_and_resume(client, member, plan):
    subscribe(member, plan, SubscriptionStatus.CANCELED, canceled_at=timezone.now())

    html = page(client, member)

    assert "有料会員(解約予定)" in html
    assert "2099年12月29日で終了します" in html
    assert "次回のお支払い" not in html
    assert f'action="{reverse("billing:resume")}"' in html
    assert reverse("billing:cancel") not in html


def test_past_due_member_is_told_the_payment_failed(client, member, plan):
    subscribe(member, plan, SubscriptionStatus.PAST_DUE)

    html = page(client, member)

    assert "有料会員(支払い遅延)" in html
    assert "お支払いを確認できませんでした。" in html


def test_lapsed_member_is_a_former_paid_member_who_may_subscribe_again(client, member, plan):
    ended = datetime(2026, 1, 29, 0, 0, tzinfo=JST)
    subscribe(member, plan, SubscriptionStatus.EXPIRED, period_end=ended, ended_at=ended)

    html = page(client, member)

    assert "以前の有料会員" in html
    assert "有料会員の期間は2026年1月29日に終了しました。" in html
    assert f'href="{reverse("billing:subscribe")}"' in html
    assert reverse("billing:cancel") not in html
    assert reverse("billing:resume") not in html


def test_other_members_payments_are_not_shown(client, member, plan):
    other = UserFactory()
    subscription = subscribe(other, plan, SubscriptionStatus.ACTIVE)
    Payment.objects.create(
        subscription=subscription,
        amount_yen=4277,
        status=PaymentStatus.PAID,
        description="他の会員の支払い",
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
    )

    html = page(client, member)

    assert "他の会員の支払い" not in html
