"""Leaving a newsletter: the page, its two buttons, and RFC 8058's one-click post."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from denshiban.newsletters import sending, services, tokens
from denshiban.newsletters.models import NewsletterIssue, Subscriber, SubscriberStatus

pytestmark = pytest.mark.django_db

DONE = "配信を停止しました。"
BASE = "http://testserver/"


@pytest.fixture
def newsletters(site):
    morning, section = services.ensure_default_newsletters()[:2]
    return morning, section


@pytest.fixture
def reader(newsletters):
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email="reader@example.jp",
        status=SubscriberStatus.CONFIRMED,
        consent_text="同意",
        consented_at=now,
        confirmed_at=now,
    )
    subscriber.lists.add(*newsletters)
    return subscriber


def url_for(subscriber, newsletter) -> str:
    token = tokens.make_unsubscribe_token(subscriber.pk, newsletter.pk if newsletter else None)
    return reverse("newsletters:unsubscribe", args=[token])


def list_slugs(subscriber) -> set[str]:
    return set(subscriber.lists.values_list("slug", flat=True))


def page_post(client: Client, url: str, scope: str):
    """Open the page as a browser does, then press one of its buttons (token included)."""
    html = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(url, {"scope": scope, "csrfmiddlewaretoken": token})


def test_page_shows_the_masked_address_the_newsletter_and_both_buttons(client, reader, newsletters):
    morning, _section = newsletters
    response = client.get(url_for(reader, morning))
    html = response.content.decode()
    assert response.status_code == 200
    assert "r***@example.jp" in html
    assert "reader@example.jp" not in html
    assert morning.name in html
    assert "このニュースレターの配信を停止する" in html
    assert "すべてのニュースレターの配信を停止する" in html
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert "no-store" in response["Cache-Control"]


def test_opening_the_page_changes_nothing(client, reader, newsletters):
    client.get(url_for(reader, newsletters[0]))
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.CONFIRMED
    assert list_slugs(reader) == {n.slug for n in newsletters}


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_one_click_post_without_cookies_or_token_leaves_that_newsletter(
    reader, newsletters, encoding
):
    morning, section = newsletters
    mail_client = Client(enforce_csrf_checks=True)
    if encoding == "urlencoded":
        response = mail_client.post(
            url_for(reader, morning),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = mail_client.post(url_for(reader, morning), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert DONE in response.content.decode()
    reader.refresh_from_db()
    assert list_slugs(reader) == {section.slug}
    assert reader.status == SubscriberStatus.CONFIRMED


def test_one_click_from_the_last_list_unsubscribes(reader, newsletters):
    morning, section = newsletters
    mail_client = Client(enforce_csrf_checks=True)
    mail_client.post(url_for(reader, morning), {"List-Unsubscribe": "One-Click"})
    mail_client.post(url_for(reader, section), {"List-Unsubscribe": "One-Click"})
    reader.refresh_from_db()
    assert list_slugs(reader) == set()
    assert reader.status == SubscriberStatus.UNSUBSCRIBED


def test_one_click_twice_is_the_same_as_once(reader, newsletters):
    morning, section = newsletters
    mail_client = Client(enforce_csrf_checks=True)
    answers = [
        mail_client.post(url_for(reader, morning), {"List-Unsubscribe": "One-Click"})
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    reader.refresh_from_db()
    assert list_slugs(reader) == {section.slug}
    assert reader.status == SubscriberStatus.CONFIRMED


def test_page_button_without_csrf_token_is_refused_and_changes_nothing(reader, newsletters):
    browser = Client(enforce_csrf_checks=True)
    url = url_for(reader, newsletters[0])
    browser.get(url)  # the browser holds the CSRF cookie, but the post carries no token
    response = browser.post(url, {"scope": "all"})
    assert response.status_code == 403
    assert "配信停止を受け付けられませんでした" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.CONFIRMED
    assert list_slugs(reader) == {n.slug for n in newsletters}


def test_page_button_from_another_site_is_refused(reader, newsletters):
    browser = Client(enforce_csrf_checks=True)
    url = url_for(reader, newsletters[0])
    html = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(
        url,
        {"scope": "all", "csrfmiddlewaretoken": token},
        headers={"Origin": "https://attacker.example"},
    )
    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.CONFIRMED


def test_this_newsletter_button_leaves_only_that_one(reader, newsletters):
    morning, section = newsletters
    response = page_post(Client(enforce_csrf_checks=True), url_for(reader, morning), "this")
    html = response.content.decode()
    assert response.status_code == 200
    assert DONE in html
    assert f"r***@example.jp への「{morning.name}」の配信を停止しました。" in html
    assert section.name in html  # still sent, and said so
    reader.refresh_from_db()
    assert list_slugs(reader) == {section.slug}
    assert reader.status == SubscriberStatus.CONFIRMED


def test_all_newsletters_button_unsubscribes(reader, newsletters):
    response = page_post(Client(enforce_csrf_checks=True), url_for(reader, newsletters[0]), "all")
    assert DONE in response.content.decode()
    reader.refresh_from_db()
    assert list_slugs(reader) == set()
    assert reader.status == SubscriberStatus.UNSUBSCRIBED


def test_link_for_every_newsletter_leaves_them_all_in_one_click(reader):
    Client().post(url_for(reader, None), {"List-Unsubscribe": "One-Click"})
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.UNSUBSCRIBED


def test_page_for_a_newsletter_already_left_says_so_and_offers_the_rest(
    client, reader, newsletters
):
    morning, section = newsletters
    reader.lists.remove(morning)
    html = client.get(url_for(reader, morning)).content.decode()
    assert f"「{morning.name}」の配信はすでに停止しています。" in html
    assert "このニュースレターの配信を停止する" not in html
    assert "すべてのニュースレターの配信を停止する" in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_link_gets_the_invalid_link_page_and_changes_nothing(reader, newsletters, method):
    forger = signing.Signer(key="a key the forger made up", salt=tokens.UNSUBSCRIBE_SALT)
    forged = forger.sign(f"{reader.pk}.0")
    url = reverse("newsletters:unsubscribe", args=[forged])
    response = getattr(Client(), method)(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert "このリンクは正しくありません。" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.CONFIRMED
    assert list_slugs(reader) == {n.slug for n in newsletters}


def test_link_altered_to_another_subscriber_is_refused(reader, newsletters):
    other = Subscriber.objects.create(
        email="other@example.jp",
        status=SubscriberStatus.CONFIRMED,
        consent_text="同意",
        consented_at=timezone.now(),
    )
    other.lists.add(newsletters[0])
    signature = tokens.make_unsubscribe_token(reader.pk, newsletters[0].pk).rsplit(":", 1)[1]
    altered = f"{other.pk}.{newsletters[0].pk}:{signature}"
    url = reverse("newsletters:unsubscribe", args=[altered])
    response = Client().post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert other.lists.count() == 1


def test_unsubscribe_service_is_idempotent_and_ignores_missing_subscribers(reader, newsletters):
    morning, _section = newsletters
    services.unsubscribe(subscriber_id=reader.pk, newsletter_id=morning.pk)
    services.unsubscribe(subscriber_id=reader.pk, newsletter_id=morning.pk)
    services.unsubscribe(subscriber_id=reader.pk, newsletter_id=None)
    again = services.unsubscribe(subscriber_id=reader.pk, newsletter_id=None)
    assert again.status == SubscriberStatus.UNSUBSCRIBED
    assert not again.lists.exists()
    assert services.unsubscribe(subscriber_id=999999, newsletter_id=None) is None


def test_registering_again_from_an_article_subscribes_again(reader, newsletters, article):
    services.unsubscribe(subscriber_id=reader.pk, newsletter_id=None)
    registration = services.register(email="reader@example.jp", article=article, base_url=BASE)
    assert registration.outcome == services.Outcome.SENT
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.PENDING
    assert reader.lists.exists()
    services.confirm_unlock(email="reader@example.jp", article=article)
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.CONFIRMED


def test_one_click_with_the_header_of_a_sent_issue(
    reader, newsletters, article, django_capture_on_commit_callbacks
):
    """The link a real issue carries in List-Unsubscribe works as mail clients use it."""
    morning, section = newsletters
    issue = NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")
    with django_capture_on_commit_callbacks(execute=True):
        sending.request_send(issue.pk)
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    target = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = re.sub(r"^https?://[^/]+", "", target)
    assert path in message.body  # the same link is in the text for readers
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert list_slugs(reader) == {section.slug}
