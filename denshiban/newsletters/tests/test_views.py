import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from denshiban.access.models import UnlockGrant
from denshiban.newsletters import services, tokens
from denshiban.newsletters.models import Subscriber, SubscriberStatus
from denshiban.newsroom.tests.factories import add_article

from .conftest import BODY_MARKER, token_made_ago

SENT = (
    "ご登録ありがとうございました。",
    "入力いただいたメールアドレスにメールを送付しました。メールのリンクをクリックすると記事全文をお読みいただけます。",
)
ALREADY = (
    "登録済みです。",
    "入力いただきましたメールアドレスは既に登録済みとなっております。ニュースレターの配信をお待ち下さい。",
)
NOT_ELIGIBLE = (
    "登録できませんでした。",
    "ニュースレターの登録に失敗しました。ご覧頂いている記事は、対象外になっています。",
)
FAILED = ("登録できませんでした。", "エラーが発生し、登録できませんでした。")

pytestmark = pytest.mark.django_db


def post(client, article, email="reader@example.jp", *, htmx=False, ip="10.0.0.1", **extra):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("newsletters:register", args=[article.pk]),
        {"email": email, "website": "", **extra},
        headers=headers,
        REMOTE_ADDR=ip,
    )


def says(response, messages) -> bool:
    text = response.content.decode()
    return all(message in text for message in messages)


def link_in(message) -> str:
    return re.search(r"http://testserver(/newsletters/unlock/[^\s]+/)", message.body).group(1)


def form_url(article) -> str:
    return reverse("newsletters:form", args=[article.pk])


def test_guest_page_holds_a_place_that_loads_the_form_and_a_link_without_javascript(
    client, article
):
    html = client.get(article.public_path).content.decode()
    assert f'hx-get="{form_url(article)}"' in html
    assert 'hx-trigger="load"' in html
    link = (
        rf'<noscript><a [^>]*href="{form_url(article)}"[^>]*>ニュースレターを登録して続きを読む</a>'
    )
    assert re.search(link, html)
    # The shared page carries no form and no per-browser token.
    assert 'name="email"' not in html
    assert "csrfmiddlewaretoken" not in html
    assert BODY_MARKER not in html


def test_form_fragment_carries_the_form_consent_and_a_csrf_token(client, article):
    response = client.get(form_url(article), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="newsletter-form-area"')
    assert 'name="email"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'hx-post="{reverse("newsletters:register", args=[article.pk])}"' in html
    assert str(services.CONSENT_TEXT) in html
    assert BODY_MARKER not in html


def test_form_fragment_is_private_and_never_stored(client, article):
    response = client.get(form_url(article), headers={"HX-Request": "true"})
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    plain = Client().get(form_url(article))
    assert "no-store" in plain["Cache-Control"]
    assert "X-Page-Cache" not in plain
    assert "X-Page-Cache" not in Client().get(form_url(article))


def test_without_javascript_the_form_comes_as_a_page_in_the_site_layout(client, article):
    html = client.get(form_url(article)).content.decode()
    assert "<html" in html
    assert "site-header" in html
    assert article.title in html
    assert 'name="email"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'href="{article.public_path}"' in html


def test_form_for_an_article_not_eligible_says_so_and_shows_no_form(client, closed_article):
    response = client.get(form_url(closed_article), headers={"HX-Request": "true"})
    assert says(response, NOT_ELIGIBLE)
    assert 'name="email"' not in response.content.decode()


def test_guest_sees_no_form_on_article_closed_to_unlock(client, closed_article):
    assert 'name="email"' not in client.get(closed_article.public_path).content.decode()


def test_registration_sends_link_and_says_sent(client, article):
    response = post(client, article)
    assert response.status_code == 200
    assert says(response, SENT)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.jp"
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.source_article_id == article.pk
    assert subscriber.consent_text == str(services.CONSENT_TEXT)
    assert subscriber.user is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.jp"]


def test_address_is_stored_lower_case(client, article):
    post(client, article, email="  Reader@Example.JP ")
    assert Subscriber.objects.get().email == "reader@example.jp"


def test_htmx_registration_answers_with_the_form_area_only(client, article):
    response = post(client, article, htmx=True)
    html = response.content.decode()
    assert says(response, SENT)
    assert html.lstrip().startswith('<div class="newsletter-form-area"')
    assert "<html" not in html


def test_no_javascript_registration_answers_with_a_page_linking_back(client, article):
    response = post(client, article)
    html = response.content.decode()
    assert "<html" in html
    assert f'href="{article.public_path}"' in html
    assert "no-store" in response["Cache-Control"]


def test_confirmed_address_is_told_already_registered_and_gets_a_fresh_link(client, article):
    Subscriber.objects.create(
        email="reader@example.jp",
        status=SubscriberStatus.CONFIRMED,
        consent_text="x",
        consented_at="2026-01-01T00:00:00Z",
    )
    response = post(client, article)
    assert says(response, ALREADY)
    assert len(mail.outbox) == 1
    assert tokens.read_token(link_in(mail.outbox[0]).split("/")[-2]).article_id == article.pk


def test_article_not_eligible_stores_and_sends_nothing(client, closed_article):
    response = post(client, closed_article)
    assert says(response, NOT_ELIGIBLE)
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_free_article_is_not_eligible(client, site):
    free = add_article(index=site["index"], section=site["section"], newsletter_unlock=True)
    assert says(post(client, free), NOT_ELIGIBLE)
    assert not Subscriber.objects.exists()


def test_missing_article_is_not_eligible(client, site):
    response = client.post(reverse("newsletters:register", args=[999999]), {"email": "a@b.jp"})
    assert says(response, NOT_ELIGIBLE)


def test_invalid_address_fails_with_field_error_and_keeps_the_typed_value(client, article):
    response = post(client, article, email="not-an-address")
    html = response.content.decode()
    assert says(response, FAILED)
    assert "メールアドレスの形式が正しくありません。" in html
    assert 'value="not-an-address"' in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_honeypot_filled_fails_and_stores_nothing(client, article):
    response = post(client, article, website="http://spam.example")
    assert says(response, FAILED)
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def csrf_post(client, article, email="reader@example.jp", **headers):
    """Open the form as a browser does (it sets the CSRF cookie), then post it with the token."""
    html = client.get(form_url(article), headers={"HX-Request": "true"}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(
        reverse("newsletters:register", args=[article.pk]),
        {"email": email, "website": "", "csrfmiddlewaretoken": token},
        headers={"HX-Request": "true", **headers},
    )


@pytest.mark.parametrize("origin", [None, "http://testserver"])
def test_post_with_the_forms_csrf_token_is_accepted(article, origin):
    headers = {"Origin": origin} if origin else {}
    response = csrf_post(Client(enforce_csrf_checks=True), article, **headers)
    assert response.status_code == 200
    assert says(response, SENT)
    assert Subscriber.objects.filter(email="reader@example.jp").exists()
    assert len(mail.outbox) == 1


def test_post_without_a_csrf_token_is_refused_and_stores_nothing(article):
    browser = Client(enforce_csrf_checks=True)
    browser.get(form_url(article), headers={"HX-Request": "true"})  # holds the cookie
    response = browser.post(
        reverse("newsletters:register", args=[article.pk]),
        {"email": "reader@example.jp", "website": ""},
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_post_from_another_site_is_refused_and_stores_nothing(article):
    response = csrf_post(
        Client(enforce_csrf_checks=True), article, Origin="https://attacker.example"
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_no_more_than_three_mails_an_hour_to_one_address(client, article):
    answers = [post(client, article, ip=f"10.0.0.{n}") for n in range(4)]
    assert all(says(answer, SENT) for answer in answers[:3])
    assert says(answers[3], FAILED)
    assert answers[3].status_code == 200
    assert len(mail.outbox) == 3


def test_one_ip_address_is_limited_per_hour(client, article):
    limit = services.IP_HOURLY_LIMIT
    answers = [post(client, article, email=f"r{n}@example.jp") for n in range(limit + 1)]
    assert says(answers[limit - 1], SENT)
    assert says(answers[limit], FAILED)
    assert len(mail.outbox) == limit


def test_failing_mail_server_fails_and_stores_nothing(client, article, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    response = post(client, article)
    assert says(response, FAILED)
    assert not Subscriber.objects.exists()


def test_opening_the_link_changes_nothing(client, article):
    post(client, article)
    url = link_in(mail.outbox[0])
    response = client.get(url)
    assert response.status_code == 200
    assert "登録を完了して記事を読む" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert not UnlockGrant.objects.exists()
    assert BODY_MARKER not in client.get(article.public_path).content.decode()


def test_pressing_the_button_confirms_and_opens_the_article(client, article):
    post(client, article)
    response = client.post(link_in(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"] == article.public_path
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    assert UnlockGrant.objects.filter(email="reader@example.jp", article=article).exists()
    assert BODY_MARKER in client.get(article.public_path).content.decode()


def test_another_browser_does_not_get_the_unlock(client, article):
    post(client, article)
    client.post(link_in(mail.outbox[0]))
    assert BODY_MARKER not in Client().get(article.public_path).content.decode()


def test_pressing_the_button_twice_keeps_one_grant(client, article):
    post(client, article)
    url = link_in(mail.outbox[0])
    client.post(url)
    client.post(url)
    assert UnlockGrant.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_link_gets_a_clear_page_and_changes_nothing(client, article, method):
    token = token_made_ago("reader@example.jp", article.pk, timedelta(days=8))
    response = getattr(client, method)(reverse("newsletters:unlock", args=[token]))
    assert response.status_code == 400
    assert "有効期限" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not UnlockGrant.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_link_gets_a_clear_page_and_changes_nothing(client, article, method):
    forger = signing.TimestampSigner(key="a key the forger made up", salt=tokens.SALT)
    forged = forger.sign_object({"e": "intruder@example.jp", "a": article.pk})
    response = getattr(client, method)(reverse("newsletters:unlock", args=[forged]))
    assert response.status_code == 400
    assert "このリンクは正しくありません。" in response.content.decode()
    assert not UnlockGrant.objects.exists()


def test_link_altered_to_another_article_is_refused(client, article, closed_article):
    token = tokens.make_token("reader@example.jp", article.pk)
    _claim, signature = token.rsplit(":", 1)
    other = tokens.make_token("reader@example.jp", closed_article.pk)
    altered = other.rsplit(":", 1)[0] + ":" + signature
    response = client.post(reverse("newsletters:unlock", args=[altered]))
    assert response.status_code == 400
    assert not UnlockGrant.objects.exists()


def test_behind_one_proxy_the_readers_own_address_is_counted(rf, settings):
    from denshiban.newsletters.views import client_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_guest_article_page_sets_no_cookie_and_is_stored_in_the_page_cache(article):
    first = Client().get(article.public_path)
    assert not first.cookies
    assert first["X-Page-Cache"] == "miss"
    assert Client().get(article.public_path)["X-Page-Cache"] == "hit"


def test_guest_holding_the_csrf_cookie_still_gets_and_fills_the_page_cache(settings, article):
    guest = Client()
    guest.get(form_url(article), headers={"HX-Request": "true"})
    assert settings.CSRF_COOKIE_NAME in guest.cookies
    assert settings.SESSION_COOKIE_NAME not in guest.cookies  # the form made no session

    stored = guest.get(article.public_path)
    assert stored["X-Page-Cache"] == "miss"
    assert not stored.cookies
    assert guest.get(article.public_path)["X-Page-Cache"] == "hit"
    assert Client().get(article.public_path)["X-Page-Cache"] == "hit"
