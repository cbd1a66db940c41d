import pytest
from django.urls import reverse

from denshiban.access.tests.factories import make_user
from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Subscription

from .factories import CampaignFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/admin/snippets/billing/plan/", "プラン"),
        ("/admin/snippets/billing/campaign/", "キャンペーン"),
        ("/admin/snippets/billing/subscription/", "購読"),
        ("/admin/snippets/billing/payment/", "支払い"),
        ("/admin/snippets/billing/webhookevent/", "決済イベント"),
    ],
)
def test_billing_lists_open_in_the_admin_in_japanese(client, editor, path, title):
    CampaignFactory()
    PaymentFactory()
    response = client.get(path)
    assert response.status_code == 200
    assert title in response.content.decode()


def test_subscription_can_be_searched_by_email(client, editor):
    payment = PaymentFactory()
    email = payment.subscription.user.email
    response = client.get("/admin/snippets/billing/subscription/", {"q": email})
    assert response.status_code == 200
    assert email in response.content.decode()


def test_campaign_edit_form_opens(client, editor):
    campaign = CampaignFactory()
    response = client.get(f"/admin/snippets/billing/campaign/edit/{campaign.pk}/")
    assert response.status_code == 200
    assert "初割ですべての記事が読み放題" in response.content.decode()


def test_editor_sees_subscriptions_but_cannot_edit_or_delete_them(client, editor):
    make_user("active")
    subscription = Subscription.objects.get()
    prefix = "wagtailsnippets_billing_subscription"
    assert client.get(reverse(f"{prefix}:list")).status_code == 200
    assert client.get(reverse(f"{prefix}:inspect", args=[subscription.pk])).status_code == 200
    for view in ("edit", "delete"):
        response = client.get(reverse(f"{prefix}:{view}", args=[subscription.pk]))
        assert response.status_code in (302, 403)
    assert client.get(reverse(f"{prefix}:add")).status_code in (302, 403)
    status = subscription.status
    client.post(reverse(f"{prefix}:edit", args=[subscription.pk]), {"status": "expired"})
    subscription.refresh_from_db()
    assert subscription.status == status
