"""Each limit in ACCOUNT_RATE_LIMITS answers 429 with the Japanese page once it is used up."""

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT_MESSAGE = "試行回数が上限に達しました。しばらく時間をおいてから、もう一度お試しください。"


def allowed(action: str, per: str) -> int:
    """How many attempts the configured limit allows, e.g. 5 for "5/5m/key"."""
    for rate in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        amount, _duration, rate_per = rate.split("/")
        if rate_per == per:
            return int(amount)
    raise AssertionError(f"{action} has no limit per {per}")


def assert_limited(response) -> None:
    assert response.status_code == 429
    html = response.content.decode()
    assert LIMIT_MESSAGE in html
    assert 'class="site-header"' in html  # the site's design, not allauth's bare page


def test_signups_from_one_address_are_limited(client):
    url = reverse("account_signup")
    for n in range(allowed("signup", "ip")):
        data = {"email": f"reader{n}@example.jp", "password1": PASSWORD, "password2": PASSWORD}
        assert client.post(url, data).status_code == 302

    assert_limited(
        client.post(
            url, {"email": "one-more@example.jp", "password1": PASSWORD, "password2": PASSWORD}
        )
    )


def test_failed_logins_for_one_address_are_limited(client, member):
    url = reverse("account_login")
    wrong = {"login": member.email, "password": "wrong-horse"}
    for _attempt in range(allowed("login_failed", "key")):
        assert client.post(url, wrong).status_code == 200

    # Even the right password waits until the limit has passed.
    assert_limited(client.post(url, {"login": member.email, "password": PASSWORD}))
    assert "_auth_user_id" not in client.session


def test_login_code_requests_for_one_address_are_limited(client, member):
    url = reverse("account_request_login_code")
    for _attempt in range(allowed("request_login_code", "key")):
        assert client.post(url, {"email": member.email}).status_code == 302
        # A new browser each time: one with a code pending is sent back to enter it.
        client.cookies.clear()

    assert_limited(client.post(url, {"email": member.email}))


def test_password_reset_requests_for_one_address_are_limited(client, member):
    url = reverse("account_reset_password")
    for _attempt in range(allowed("reset_password", "key")):
        assert client.post(url, {"email": member.email}).status_code == 302

    assert_limited(client.post(url, {"email": member.email}))
