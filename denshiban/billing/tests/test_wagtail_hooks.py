import pytest
from django.urls import reverse

from denshiban.access.tests.factories import make_user
from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


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
