"""Think! in Chromium: an expert comments on an article, a free member finds it helpful, a guest
sees that it exists and is invited in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from denshiban.newsroom.models import AccessLevel, ArticlePage
from denshiban.think.models import Comment, HelpfulMark

PHONE_WIDTH = 390

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

COMMENT = (
    "今回の決定は、物価の見通しよりも賃金の動きを重く見た判断と読める。"
    "サービス価格が粘り強く上がり続けるかどうかを、来年の春まで丁寧に確かめたい。<b>強調</b>はしない。"
)


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def _article() -> ArticlePage:
    return (
        ArticlePage.objects.live()
        .filter(access_level=AccessLevel.FREE, think_comments__isnull=False)
        .distinct()
        .order_by("-first_published_at")
        .first()
    )


def test_expert_comments_member_finds_it_helpful_guest_is_invited(
    live_server, desktop_page: Page, phone_page: Page, screenshot_dir: Path
) -> None:
    article = _article()
    assert article is not None, "the demo paper has no free article with Think! comments"
    url = live_server.url + article.public_path
    before = Comment.objects.filter(article=article).count()

    # The expert posts from the article page; a too-short text is refused and kept.
    page = desktop_page
    _sign_in(page, live_server.url, "expert@example.jp", "denshiban-expert")
    page.goto(url + "#think")
    form = page.locator("form.think-form")
    expect(form).to_contain_text("佐久間玲子さんとしてコメントする")
    form.get_by_label("分析・考察").check()
    form.locator("textarea").fill("短すぎる解説")
    form.get_by_role("button", name="投稿する").click()
    think = page.locator("#think")
    expect(think).to_contain_text("コメントは50文字以上で入力してください(いまは6文字です)。")
    expect(page.locator("form.think-form textarea")).to_have_value("短すぎる解説")

    page.locator("form.think-form textarea").fill(COMMENT)
    page.locator("form.think-form").get_by_role("button", name="投稿する").click()
    expect(page.locator("#think .think__notice")).to_have_text("コメントを投稿しました。")
    posted = page.locator(".think-comment", has_text="今回の決定は")
    expect(posted).to_contain_text("<b>強調</b>はしない。")
    expect(posted).to_contain_text("分析・考察")
    expect(posted.get_by_role("link", name="編集")).to_be_visible()
    page.locator("#think").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "think-expert-posted.png", full_page=True)
    comment = Comment.objects.get(article=article, text=COMMENT)
    assert comment.expert.user.email == "expert@example.jp"

    # A free member reads it and marks it 参考になった.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "free@example.jp", "denshiban-free")
    page.goto(url + "?think_sort=new#think")
    mine = page.locator(f"#think-comment-{comment.pk}")
    expect(mine).to_contain_text("今回の決定は")
    button = mine.locator(".think-helpful__button")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(mine.locator(".think-helpful__button")).to_have_attribute("aria-pressed", "true")
    expect(mine.locator(".think-helpful__count")).to_have_text("1")
    mine.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "think-member-helpful.png", full_page=True)
    assert HelpfulMark.objects.filter(comment=comment, user__email="free@example.jp").count() == 1

    # A guest sees how many comments there are and who wrote them, never the text.
    page = phone_page
    page.goto(url)
    think = page.locator("#think")
    expect(think).to_contain_text(f"コメント {before + 1}件")
    expect(think).to_contain_text("佐久間玲子")
    expect(think).to_contain_text("会員の方のみご利用になれます。")
    expect(think).to_contain_text(
        "記事と併せて、エキスパート(専門家)のひとこと解説や分析を読むことができます。"
    )
    expect(think.get_by_role("link", name="ログイン")).to_be_visible()
    assert "今回の決定は" not in page.content()
    think.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "think-guest-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH

    # The expert's public page: what they commented on, the text for members only.
    think.get_by_role("link", name="佐久間玲子").click()
    page.wait_for_url("**/experts/sakuma-reiko/")
    expect(page.locator("h1")).to_have_text("佐久間玲子")
    first = page.locator(".think-comment").first
    expect(first).to_contain_text(article.title)
    expect(first).to_contain_text("会員の方のみ")
    assert "今回の決定は" not in page.content()
    page.screenshot(path=screenshot_dir / "think-expert-page-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
