"""A guest reads the demo paper in Chromium: home page, an article with a chart, phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from denshiban.charts.models import Chart
from denshiban.newsroom import selectors
from denshiban.newsroom.models import AccessLevel, ArticlePage, HomePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

PHONE_WIDTH = 390
KANA_OR_KANJI = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")


def _chart_in(article: ArticlePage) -> Chart | None:
    for block in article.body:
        if block.block_type == "chart":
            return block.value["chart"]
    return None


def _article_with_chart() -> tuple[ArticlePage, Chart, bool]:
    """A free article with a dateline and a chart; preferably one the home page lists.

    Free, so a guest gets the body and therefore the chart. Returns whether it is on the home.
    """
    home = HomePage.objects.live().get()
    context = selectors.home_page_context(home=home)
    on_home = {a.pk for a in context["top_stories"]}
    for block in context["section_blocks"]:
        on_home.update(a.pk for a in block["articles"])
    candidates = []
    for article in (
        ArticlePage.objects.live()
        .filter(access_level=AccessLevel.FREE)
        .exclude(dateline="")
        .select_related("section")
        .order_by("-first_published_at")
    ):
        chart = _chart_in(article)
        if chart is not None and article.reporters.exists():
            candidates.append((article, chart, article.pk in on_home))
    assert candidates, "the demo paper has no free article with a dateline, reporter and chart"
    return max(candidates, key=lambda candidate: candidate[2])


def _expected_byline(article: ArticlePage) -> str:
    names = "、".join(reporter.name for reporter in article.reporters.all())
    return f"【{article.dateline}={names}】" if article.dateline else f"【{names}】"


def _overflowing_elements(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5)
            .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
    )


def _assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    assert scroll_width <= inner_width and scroll_width <= PHONE_WIDTH, (
        f"{page.url} scrolls sideways at {PHONE_WIDTH}px: scrollWidth {scroll_width}, "
        f"innerWidth {inner_width}; wide elements: {_overflowing_elements(page)}"
    )


def _platform_fonts(page: Page, selector: str) -> list[dict]:
    """The fonts Chromium actually drew the element's text with, as DevTools reports them."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_guest_opens_article_with_chart_from_home_page(
    live_server, desktop_page: Page, screenshot_dir: Path
) -> None:
    article, chart, on_home = _article_with_chart()
    page = desktop_page
    page.goto(live_server.url + "/")
    page.screenshot(path=screenshot_dir / "home-desktop.png", full_page=True)
    if not on_home:
        page.locator(f'.section-nav a[href="{article.section.public_path}"]').click()
    page.locator(f'a[href$="{article.public_path}"]').first.click()
    page.wait_for_url(f"**{article.public_path}")

    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.locator(".article-byline")).to_have_text(_expected_byline(article))
    expect(page.locator(".article-lead")).to_contain_text(article.lead)
    figure = page.locator("figure.chart").first
    expect(figure.locator("svg")).to_be_visible()
    expect(figure).to_contain_text(chart.title)
    page.screenshot(path=screenshot_dir / "article-desktop.png", full_page=True)


def test_article_headline_is_drawn_with_a_japanese_font(live_server, desktop_page: Page) -> None:
    article, _chart, _on_home = _article_with_chart()
    desktop_page.goto(live_server.url + article.public_path)
    fonts = _platform_fonts(desktop_page, "h1")
    cjk_glyphs = sum(font["glyphCount"] for font in fonts if "CJK" in font["familyName"])
    japanese_characters = len(KANA_OR_KANJI.findall(article.title))
    # Without fonts-noto-cjk Chromium draws these as empty boxes with whatever font it has.
    assert japanese_characters > 0
    assert cjk_glyphs >= japanese_characters, f"headline drawn with {fonts}"


def test_home_and_article_fit_phone_width(
    live_server, phone_page: Page, screenshot_dir: Path
) -> None:
    article, _chart, _on_home = _article_with_chart()
    page = phone_page
    page.goto(live_server.url + "/")
    _assert_no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / "home-phone.png", full_page=True)

    page.goto(live_server.url + article.public_path)
    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.locator("figure.chart svg").first).to_be_visible()
    _assert_no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / "article-phone.png", full_page=True)
