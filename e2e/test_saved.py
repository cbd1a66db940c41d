"""Saving and keywords in Chromium: a paid member saves an article and one of its charts
(htmx, no page load), sees 保存済み, finds both on the saved pages, registers a keyword and
sees it marked in the article; a guest who presses 記事を保存する gets the explaining panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from denshiban.mynews.keywords.normalize import normalize
from denshiban.mynews.keywords.tokens import token_spans
from denshiban.mynews.models import Follow, SavedArticle, SavedChart
from denshiban.newsroom.models import ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

EMAIL, PASSWORD = "paid@example.jp", "denshiban-paid"


def _sign_in(page: Page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def _article_with_a_chart() -> ArticlePage:
    for article in ArticlePage.objects.live().order_by("-first_published_at"):
        if any(block.block_type == "chart" for block in article.body):
            return article
    raise AssertionError("the demo paper has no article with a chart")


def _word_of(text: str) -> str:
    """A word of the text as the matcher splits it: kanji or katakana, two characters or more."""
    normalized = normalize(text)
    for start, end in token_spans(normalized):
        word = normalized[start:end]
        if len(word) >= 2 and all(
            "\u4e00" <= ch <= "\u9fff" or "\u30a1" <= ch <= "\u30fa" for ch in word
        ):
            return word
    raise AssertionError(f"no word to register in {text!r}")


def test_paid_member_saves_an_article_and_a_chart_and_highlights_a_keyword(
    live_server, desktop_page: Page, screenshot_dir: Path
) -> None:
    article = _article_with_a_chart()
    page = desktop_page
    _sign_in(page, live_server.url)
    page.goto(live_server.url + article.public_path)
    page.evaluate("window.stillThisPage = true")

    tools = page.locator(".article-tools")
    tools.get_by_role("button", name="記事を保存する").click()
    saved = tools.get_by_role("button", name="保存済み")
    expect(saved).to_be_visible()
    expect(saved).to_have_attribute("aria-pressed", "true")

    figure = page.locator(".article-body figure.chart").first
    chart_title = figure.locator(".chart__title").inner_text().strip()
    figure.get_by_role("button", name="図表を保存する").click()
    expect(figure.get_by_role("button", name="保存済み")).to_be_visible()
    assert page.evaluate("window.stillThisPage") is True
    figure.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "saved-chart-button.png")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "saved-article-button.png")
    assert SavedArticle.objects.filter(user__email=EMAIL, article=article).exists()
    assert SavedChart.objects.filter(user__email=EMAIL, chart__title=chart_title).exists()

    page.goto(live_server.url + "/mynews/saved/articles/")
    expect(page.get_by_role("heading", name="保存した記事")).to_be_visible()
    expect(page.locator(".saved-item").first).to_contain_text(article.title)
    page.screenshot(path=screenshot_dir / "saved-articles.png", full_page=True)

    page.get_by_role("link", name="保存した図表").click()
    chart = page.locator(".saved-chart").first
    expect(chart).to_contain_text(chart_title)
    expect(chart.locator("svg").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "saved-charts.png", full_page=True)

    word = _word_of(article.title + "。" + article.lead)
    page.goto(live_server.url + "/mynews/keywords/")
    expect(page.get_by_role("heading", name="キーワード登録")).to_be_visible()
    page.fill("#keyword-input", word)
    page.get_by_role("button", name="登録する").click()
    expect(page.locator(".keywords-area__notice")).to_contain_text(f"「{word}」を登録しました。")
    expect(page.locator(".keyword-list__label", has_text=word)).to_be_visible()
    # The same word again: refused in place, what was typed kept.
    page.fill("#keyword-input", word)
    page.get_by_role("button", name="登録する").click()
    expect(page.locator("#keyword-error")).to_have_text("このキーワードは登録済みです。")
    expect(page.locator("#keyword-input")).to_have_value(word)
    page.screenshot(path=screenshot_dir / "keywords-page.png", full_page=True)
    assert Follow.objects.filter(user__email=EMAIL, kind="keyword").count() == 1

    page.goto(live_server.url + article.public_path)
    mark = page.locator(".article-text mark.kw").first
    expect(mark).to_be_visible()
    expect(mark).to_have_text(word, ignore_case=True)
    page.screenshot(path=screenshot_dir / "keywords-highlight.png")


def test_guest_pressing_save_gets_the_gated_panel(
    live_server, phone_page: Page, screenshot_dir: Path
) -> None:
    article = _article_with_a_chart()
    page = phone_page
    page.goto(live_server.url + article.public_path)
    tools = page.locator(".article-tools")
    panel = tools.locator(".gated-panel")
    expect(panel).to_be_hidden()
    tools.locator("summary", has_text="記事を保存する").click()
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("保存した記事はスマホやタブレットでもご覧いただけます。")
    expect(panel).to_contain_text("有料会員の方のみご利用になれます。")
    expect(panel.get_by_role("link", name="ログイン")).to_be_visible()
    page.screenshot(path=screenshot_dir / "saved-guest-gated.png")
    assert not SavedArticle.objects.exists()
