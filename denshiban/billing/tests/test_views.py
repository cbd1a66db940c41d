from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import stripe
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Subscription, SubscriptionStatus
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article, paragraph

from .factories import CampaignFactory, SubscriptionFactory, monthly_plan, yearly_plan

pytestmark = pytest.mark.django_db

S = SubscriptionStatus
PAID_TEXT = "有料会員だけが読める、利上げの舞台裏。"
GOOD_CARD = {
    "card_number": "4242 4242 4242 4242",
    "card_expiry": "12/35",
    "card_security_code": "123",
}


@pytest.fixture
def plans():
    return monthly_plan(), yearly_plan()


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def subscribe_url(next_path="/article/1/"):
    return f"{reverse('billing:subscribe')}?next={quote(next_path, safe='')}"


def form_data(response, **overrides):
    """What the browser would send back from the subscribe page it was given."""
    form = response.context["form"]
    data = {
        "plan": form["plan"].value(),
        "campaign": form["campaign"].value() or "",
        "token": form["token"].value(),
        "next": form["next"].value(),
        **GOOD_CARD,
    }
    return data | overrides


def checkout(client, data):
    return client.post(reverse("billing:checkout"), data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The subscribe page


def test_guest_is_sent_to_sign_up_and_back_here(client):
    response = client.get(subscribe_url("/article/5/"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_signup")
    assert parse_qs(location.query)["next"] == [subscribe_url("/article/5/")]


def test_subscribe_page_shows_plans_in_yen_and_the_campaign(client, reader, plans):
    CampaignFactory()
    response = client.get(subscribe_url())
    page = response.content.decode()
    assert "月額4,300円(税込)" in page
    assert "年額43,000円(税込)" in page
    assert "初割ですべての記事が読み放題" in page
    assert "有料会員が2カ月無料" in page
    assert "初割で無料体験する" in page
    assert response.context["form"]["campaign"].value()


def test_ineligible_reader_is_told_plainly_and_offered_the_normal_price(client, reader, plans):
    SubscriptionFactory(user=reader, status=S.EXPIRED, ended_at=timezone.now() - timedelta(days=30))
    CampaignFactory()
    response = client.get(subscribe_url())
    page = response.content.decode()
    assert (
        "初割の対象外です。初割は過去12カ月に有料会員でなかった方が対象です。"
        "通常料金でお申し込みいただけます。" in page
    )
    assert "初割で無料体験する" not in page
    assert not response.context["form"]["campaign"].value()


def test_paid_member_is_told_and_sent_back(client, reader, plans):
    SubscriptionFactory(user=reader)
    page = client.get(subscribe_url("/article/9/")).content.decode()
    assert "すでに有料会員です。" in page
    assert 'href="/article/9/"' in page
    assert "billing:checkout" not in page and 'action="/billing/checkout/"' not in page


def test_billing_pages_are_private_and_not_stored(client, reader, plans):
    cache_control = client.get(subscribe_url())["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_next_elsewhere_falls_back_to_the_account_page(client, reader, plans):
    response = client.get(subscribe_url("https://evil.example/phish"))
    assert response.context["next_path"] == "/account/"


# The whole flow


def test_from_paywall_to_reading_the_article(client, reader, plans, site, settings):
    settings.FREE_MEMBER_MONTHLY_ALLOWANCE = 0
    CampaignFactory()
    article = add_article(
        index=site["index"],
        section=site["section"],
        access_level=AccessLevel.PAID,
        body=[paragraph(PAID_TEXT)],
    )
    assert PAID_TEXT not in client.get(article.public_path).content.decode()

    page = client.get(subscribe_url(article.public_path))
    response = checkout(client, form_data(page))

    assert response.status_code == 303
    assert response["Location"] == article.public_path
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == S.TRIALING
    assert messages_of(response)[0].startswith("初割のお申し込みが完了しました。")
    assert PAID_TEXT in client.get(article.public_path).content.decode()


def test_without_campaign_the_first_period_is_paid(client, reader, plans):
    page = client.get(subscribe_url("/article/3/"))
    response = checkout(client, form_data(page, plan="yearly"))
    assert response["Location"] == "/article/3/"
    assert messages_of(response) == ["有料会員のお申し込みが完了しました。"]
    subscription = Subscription.objects.get(user=reader)
    assert (subscription.status, subscription.plan.code) == (S.ACTIVE, "yearly")
    assert subscription.payments.get().amount_yen == 43000


def test_double_submission_makes_one_subscription(client, reader, plans):
    data = form_data(client.get(subscribe_url("/article/3/")))
    first, second = checkout(client, data), checkout(client, data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert second["Location"] == "/article/3/"
    assert Subscription.objects.filter(user=reader).count() == 1


def test_a_second_form_after_subscribing_says_already_member(client, reader, plans):
    checkout(client, form_data(client.get(subscribe_url())))
    stale = form_data(client.get(subscribe_url()), token="f" * 32)
    response = checkout(client, stale)
    assert response.status_code == 303
    assert "すでに有料会員です。" in messages_of(response)
    assert Subscription.objects.filter(user=reader).count() == 1


def test_declined_card_shows_the_message_and_keeps_the_form(client, reader, plans):
    data = form_data(
        client.get(subscribe_url()), card_number="4000 0000 0000 0002", card_expiry="08/34"
    )
    response = checkout(client, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "カードが承認されませんでした。別のカードをお試しください。" in page
    assert 'value="4000 0000 0000 0002"' in page
    assert 'value="08/34"' in page
    assert not Subscription.objects.filter(user=reader).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("card_number", "", "カード番号を入力してください。"),
        ("card_number", "4242-abcd-4242-4242", "カード番号は数字で入力してください。"),
        ("card_number", "4242 4242 4242 4241", "カード番号に誤りがあります。ご確認ください。"),
        ("card_expiry", "13/30", "有効期限は MM/YY の形式で入力してください(例: 08/29)。"),
        ("card_expiry", "01/20", "有効期限が切れています。別のカードをお試しください。"),
        ("card_security_code", "12", "セキュリティコードは3桁または4桁の数字で入力してください。"),
    ],
)
def test_card_mistakes_get_clear_field_errors(client, reader, plans, field, value, message):
    response = checkout(client, form_data(client.get(subscribe_url()), **{field: value}))
    assert response.status_code == 400
    assert response.context["card_form"].errors[field] == [message]
    assert not Subscription.objects.filter(user=reader).exists()


def test_campaign_refused_at_checkout_says_why(client, reader, plans):
    campaign = CampaignFactory()
    data = form_data(client.get(subscribe_url()))
    SubscriptionFactory(user=reader, status=S.EXPIRED, ended_at=timezone.now() - timedelta(days=10))
    response = checkout(client, data | {"campaign": campaign.slug})
    assert response.status_code == 400
    assert "初割の対象外です" in response.content.decode()
    assert not Subscription.objects.filter(user=reader).exclude(status=S.EXPIRED).exists()


def test_guest_posting_checkout_is_sent_to_sign_up(client, plans):
    response = client.post(reverse("billing:checkout"), {"next": "/article/1/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    assert not Subscription.objects.exists()


def test_checkout_needs_csrf(reader, plans):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    assert browser.post(reverse("billing:checkout"), {}).status_code == 403


# Stripe


def test_stripe_checkout_redirects_to_the_session(client, reader, plans, settings, monkeypatch):
    settings.BILLING_GATEWAY = "stripe"
    asked = []

    def create(**params):
        asked.append(params)
        return SimpleNamespace(url="https://checkout.test/pay/cs_1")

    monkeypatch.setattr(stripe.checkout.Session, "create", create)
    page = client.get(subscribe_url("/article/4/"))
    assert page.context["card_form"] is None
    data = {key: value for key, value in form_data(page).items() if not key.startswith("card")}
    response = checkout(client, data)
    assert response.status_code == 303
    assert response["Location"] == "https://checkout.test/pay/cs_1"
    success = asked[0]["success_url"]
    assert success.startswith("http://testserver/billing/complete/?next=%2Farticle%2F4%2F")
    assert success.endswith("session_id={CHECKOUT_SESSION_ID}")
    assert not Subscription.objects.exists()


def test_back_from_stripe_before_the_webhook_waits(client, reader):
    response = client.get(f"{reverse('billing:complete')}?next=/article/4/")
    assert response.status_code == 200
    assert "お手続きを確認しています" in response.content.decode()


def test_back_from_stripe_after_the_webhook_returns_to_the_article(client, reader):
    SubscriptionFactory(user=reader, gateway="stripe")
    response = client.get(f"{reverse('billing:complete')}?next=/article/4/")
    assert response["Location"] == "/article/4/"
    assert messages_of(response) == ["有料会員のお申し込みが完了しました。"]


# Cancel and resume


def action(client, name, subscription, next_path="/account/"):
    return client.post(
        reverse(f"billing:{name}"), {"subscription": subscription.pk, "next": next_path}
    )


def test_member_cancels_and_keeps_reading_until_period_end(client, reader):
    subscription = SubscriptionFactory(user=reader)
    response = action(client, "cancel", subscription)
    assert response.status_code == 303
    assert response["Location"] == "/account/"
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELED
    assert messages_of(response)[0].startswith("解約を受け付けました。")


def test_member_resumes_before_period_end(client, reader):
    subscription = SubscriptionFactory(user=reader, status=S.CANCELED)
    response = action(client, "resume", subscription)
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE
    assert messages_of(response) == [
        "解約を取り消しました。引き続き有料会員としてご利用いただけます。"
    ]


def test_refused_cancel_is_a_message_not_an_error_page(client, reader):
    subscription = SubscriptionFactory(user=reader, status=S.CANCELED)
    response = action(client, "cancel", subscription)
    assert response.status_code == 303
    assert messages_of(response) == ["すでに解約のお手続きが済んでいます。"]


def test_someone_elses_subscription_cannot_be_canceled(client, reader):
    theirs = SubscriptionFactory()
    assert action(client, "cancel", theirs).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.ACTIVE


def test_get_on_cancel_and_resume_is_refused(client, reader):
    subscription = SubscriptionFactory(user=reader)
    for name in ("cancel", "resume"):
        url = f"{reverse(f'billing:{name}')}?subscription={subscription.pk}"
        assert client.get(url).status_code == 405
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_cancel_needs_csrf(reader):
    subscription = SubscriptionFactory(user=reader)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    assert action(browser, "cancel", subscription).status_code == 403


def test_guest_cannot_cancel(client):
    subscription = SubscriptionFactory()
    response = action(client, "cancel", subscription)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_account_page_form_without_an_id_acts_on_the_readers_current_subscription(client, reader):
    SubscriptionFactory(user=reader, status=S.EXPIRED, ended_at=timezone.now())
    current = SubscriptionFactory(user=reader)
    response = client.post(reverse("billing:cancel"))
    assert response["Location"] == "/account/"
    current.refresh_from_db()
    assert current.status == S.CANCELED


def test_cancel_without_any_subscription_is_not_found(client, reader):
    assert client.post(reverse("billing:cancel")).status_code == 404
