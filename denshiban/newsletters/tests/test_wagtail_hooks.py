import pytest
from django.urls import reverse

from denshiban.accounts.tests.factories import UserFactory
from denshiban.newsletters.models import Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_searches_subscribers(editor_client):
    Subscriber.objects.create(
        email="found@example.jp", consent_text="x", consented_at="2026-01-01T00:00Z"
    )
    Subscriber.objects.create(
        email="other@example.jp", consent_text="x", consented_at="2026-01-01T00:00Z"
    )
    url = reverse("wagtailsnippets_newsletters_subscriber:list")
    html = editor_client.get(url, {"q": "found"}).content.decode()
    assert "found@example.jp" in html
    assert "other@example.jp" not in html


def test_admin_cannot_add_subscribers(editor_client):
    response = editor_client.get(reverse("wagtailsnippets_newsletters_subscriber:add"))
    assert response.status_code in (302, 403)


def test_admin_lists_newsletters(editor_client):
    response = editor_client.get(reverse("wagtailsnippets_newsletters_newsletter:list"))
    assert response.status_code == 200
