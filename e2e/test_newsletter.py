"""A guest unlocks an article with the newsletter form, then leaves the newsletter from an issue.

Mail goes to files, and the demo mailbox page shows it, as in `make run` with no SMTP server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from denshiban.access.reading import PAID_PART_CLASS
from denshiban.newsletters import sending
from denshiban.newsletters.models import (
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)
from denshiban.newsletters.services import MORNING_SLUG
from denshiban.newsroom.models import AccessLevel, ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

READER = "hanako@example.jp"
FILE_MAILER = "django.core.mail.backends.filebased.EmailBackend"


@pytest.fixture
def demo_mail(settings, tmp_path, live_server) -> Path:
    """Mail written to files and the demo mailbox open, as in the demo without SMTP."""
    settings.MAILERS = {
        "default": {"BACKEND": FILE_MAILER, "OPTIONS": {"file_path": str(tmp_path)}}
    }
    settings.DEMO_MAILBOX = True
    settings.SITE_URL = live_server.url  # the links in newsletter issues
    return tmp_path


def _unlockable_article() -> ArticlePage:
    return (
        ArticlePage.objects.live()
        .filter(newsletter_unlock=True, access_level=AccessLevel.PAID)
        .order_by("-first_published_at")
        .first()
    )


def _send_issue() -> None:
    morning = Newsletter.objects.get(slug=MORNING_SLUG)
    issue = NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")
    with transaction.atomic():  # the send starts when this commits, as in the admin
        sending.request_send(issue.pk)


def test_guest_unlocks_an_article_by_newsletter_and_later_unsubscribes(
    live_server, demo_mail: Path, desktop_page: Page, screenshot_dir: Path
) -> None:
    article = _unlockable_article()
    assert article is not None, "the demo paper has no paid article open to the newsletter unlock"
    page = desktop_page
    page.goto(live_server.url + article.public_path)
    expect(page.locator(f".{PAID_PART_CLASS}")).to_have_count(0)

    # htmx loads the form into the paywall.
    area = page.locator(".paywall__newsletter")
    form = area.locator("form.newsletter-form")
    expect(form).to_be_visible()
    expect(area).to_contain_text("入力いただいたメールアドレスは、ニュースレターとキャンペーン")
    area.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "newsletter-form.png", full_page=True)

    # Registering swaps the answer in; the page is not loaded again.
    page.evaluate("window.stillTheSamePage = true")
    form.locator("input[name=email]").fill(READER)
    form.get_by_role("button", name="登録して続きを読む").click()
    expect(area).to_contain_text("ご登録ありがとうございました。")
    expect(area).to_contain_text("入力いただいたメールアドレスにメールを送付しました。")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url == live_server.url + article.public_path
    page.screenshot(path=screenshot_dir / "newsletter-result.png", full_page=True)
    assert Subscriber.objects.get(email=READER).status == SubscriberStatus.PENDING

    # The demo mailbox shows the mail; its link opens the page with the button.
    page.goto(live_server.url + "/newsletters/mailbox/")
    newest = page.locator(".mailbox-mail").first
    expect(newest).to_contain_text("記事の続きを読むためのリンクをお送りします")
    expect(newest).to_contain_text(READER)
    page.screenshot(path=screenshot_dir / "newsletter-mailbox.png", full_page=True)
    newest.locator("a[href*='/newsletters/unlock/']").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="メールアドレスの確認")).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-unlock.png", full_page=True)

    page.get_by_role("button", name="登録を完了して記事を読む").click()
    page.wait_for_url(f"**{article.public_path}")
    expect(page.locator(f".{PAID_PART_CLASS}")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "newsletter-article-unlocked.png", full_page=True)
    subscriber = Subscriber.objects.get(email=READER)
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.lists.filter(slug=MORNING_SLUG).exists()

    # An issue arrives; its unsubscribe link opens the page, and a button stops it.
    _send_issue()
    page.goto(live_server.url + "/newsletters/mailbox/")
    issue_mail = page.locator(".mailbox-mail").first
    expect(issue_mail).to_contain_text("けさの主なニュース")
    issue_mail.locator("a[href*='/newsletters/unsubscribe/']").click()
    page.wait_for_load_state()
    expect(page.locator(".newsletter-unsubscribe")).to_contain_text("h***@example.jp")
    expect(page.locator(".newsletter-unsubscribe")).to_contain_text("朝刊ニュースレター")
    page.screenshot(path=screenshot_dir / "newsletter-unsubscribe.png", full_page=True)

    page.get_by_role("button", name="このニュースレターの配信を停止する").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="配信を停止しました。")).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-unsubscribed.png", full_page=True)
    assert not subscriber.lists.filter(slug=MORNING_SLUG).exists()


def test_form_in_the_paywall_on_a_phone_keeps_what_was_typed_on_failure(
    live_server, demo_mail: Path, phone_page: Page, screenshot_dir: Path
) -> None:
    article = _unlockable_article()
    page = phone_page
    page.goto(live_server.url + article.public_path)
    area = page.locator(".paywall__newsletter")
    expect(area.locator("form.newsletter-form")).to_be_visible()
    area.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "newsletter-form-phone.png", full_page=True)

    # The browser accepts the address; the server does not (no dot in the domain).
    area.locator("input[name=email]").fill("hanako@example")
    area.get_by_role("button", name="登録して続きを読む").click()
    expect(area).to_contain_text("エラーが発生し、登録できませんでした。")
    expect(area).to_contain_text("メールアドレスの形式が正しくありません。")
    expect(area.locator("input[name=email]")).to_have_value("hanako@example")
    assert Subscriber.objects.count() == 0
    page.screenshot(path=screenshot_dir / "newsletter-failed-phone.png", full_page=True)

    # Corrected and sent again from the same form (a fresh CSRF token came with it).
    area.locator("input[name=email]").fill(READER)
    area.get_by_role("button", name="登録して続きを読む").click()
    expect(area).to_contain_text("ご登録ありがとうございました。")


def test_a_refused_post_is_not_lost_silently(
    live_server, demo_mail: Path, desktop_page: Page
) -> None:
    """Without its CSRF cookie the htmx post is refused; the form then posts as a page."""
    article = _unlockable_article()
    page = desktop_page
    page.goto(live_server.url + article.public_path)
    form = page.locator(".paywall__newsletter form.newsletter-form")
    expect(form).to_be_visible()
    page.context.clear_cookies()
    form.locator("input[name=email]").fill(READER)
    form.get_by_role("button", name="登録して続きを読む").click()
    page.wait_for_url("**/newsletters/register/**")
    assert not Subscriber.objects.exists()


def test_without_javascript_the_form_opens_as_a_page(
    live_server, demo_mail: Path, browser, screenshot_dir: Path
) -> None:
    article = _unlockable_article()
    context = browser.new_context(
        java_script_enabled=False, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + article.public_path)
        link = page.get_by_role("link", name="ニュースレターを登録して続きを読む")
        link.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "newsletter-paywall-no-js.png", full_page=True)
        link.click()
        page.wait_for_load_state()
        expect(page.locator(".newsletter-page")).to_contain_text(article.title)
        page.screenshot(path=screenshot_dir / "newsletter-form-page-no-js.png", full_page=True)
        page.locator("input[name=email]").fill(READER)
        page.get_by_role("button", name="登録して続きを読む").click()
        page.wait_for_load_state()
        expect(page.locator(".newsletter-page")).to_contain_text("ご登録ありがとうございました。")
        page.screenshot(path=screenshot_dir / "newsletter-result-no-js.png", full_page=True)
        assert Subscriber.objects.filter(email=READER).exists()
    finally:
        context.close()
