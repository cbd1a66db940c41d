"""Myニュース in Chromium: a paid member follows a topic from an article's topic box (htmx, no
page load), sees フォロー中, opens Myニュース from the header and finds the article labelled
with the topic; a guest who presses フォローする gets the panel that explains the feature."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from denshiban.mynews.models import Follow, MyNewsVisit
from denshiban.newsroom.models import ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def _article_with_a_topic() -> ArticlePage:
    article = (
        ArticlePage.objects.live()
        .filter(topics__isnull=False)
        .distinct()
        .order_by("-first_published_at")
        .first()
    )
    assert article is not None, "the demo paper has no article with a topic"
    return article


def test_paid_member_follows_a_topic_and_finds_the_article_in_myニュース(
    live_server, desktop_page: Page, screenshot_dir: Path
) -> None:
    article = _article_with_a_topic()
    page = desktop_page
    _sign_in(page, live_server.url, "paid@example.jp", "denshiban-paid")
    # Following nothing yet: Myニュース suggests topics, each with its button.
    page.goto(live_server.url + "/mynews/")
    empty = page.locator(".mynews-empty")
    expect(empty).to_contain_text("フォローして、あなたのMyニュースをつくりましょう")
    expect(empty.get_by_role("button", name="フォローする").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "mynews-empty.png")

    page.goto(live_server.url + article.public_path)
    box = page.locator(".topic-box")
    topic = box.locator(".topic-box__name").inner_text().strip()
    button = box.get_by_role("button", name="フォローする")
    expect(button).to_be_visible()
    # htmx swaps the button in place: a marker set on this document survives the press.
    page.evaluate("window.stillThisPage = true")
    button.click()
    following = box.get_by_role("button", name="フォロー中")
    expect(following).to_be_visible()
    expect(following).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.stillThisPage") is True
    box.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "mynews-topic-followed.png")
    assert Follow.objects.filter(user__email="paid@example.jp", kind="topic").exists()

    page.get_by_role("link", name="Myニュース").click()
    expect(page.get_by_role("heading", name="Myニュース")).to_be_visible()
    item = page.locator(".mynews-item", has_text=article.title).first
    expect(item).to_contain_text(f"トピック「{topic}」")
    page.screenshot(path=screenshot_dir / "mynews-page.png", full_page=True)
    # First visit: nothing is marked. Seen last just before the article came out: it is NEW.
    expect(page.locator(".mynews-new")).to_have_count(0)
    MyNewsVisit.objects.filter(user__email="paid@example.jp").update(
        seen_at=article.first_published_at - timedelta(minutes=1)
    )
    page.reload()
    expect(item.locator(".mynews-new")).to_have_text("NEW")
    page.screenshot(path=screenshot_dir / "mynews-new.png")

    # The tab narrows to the topic; its button unfollows.
    page.locator(".mynews-tabs").get_by_role("link", name=topic).click()
    expect(page.locator(".mynews-item").first).to_contain_text(f"トピック「{topic}」")
    page.screenshot(path=screenshot_dir / "mynews-tab.png", full_page=True)


def test_guest_pressing_follow_gets_the_gated_panel(
    live_server, phone_page: Page, screenshot_dir: Path
) -> None:
    article = _article_with_a_topic()
    page = phone_page
    page.goto(live_server.url + article.public_path)
    box = page.locator(".topic-box")
    panel = box.locator(".gated-panel")
    expect(panel).to_be_hidden()
    box.locator("summary", has_text="フォローする").click()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("有料会員の方のみご利用になれます。")
    expect(panel).to_contain_text(
        "トピックをフォローすると、新着情報のチェックやまとめ読みがしやすくなります。"
    )
    expect(panel.get_by_role("link", name="初割で無料体験する")).to_be_visible()
    login = panel.get_by_role("link", name="ログイン")
    expect(login).to_have_attribute("href", f"/accounts/login/?next={article.public_path}")
    box.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "mynews-guest-gated.png")
    assert not Follow.objects.exists()
