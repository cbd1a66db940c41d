"""A free member meets the paywall, takes 初割 with the sandbox card and reads on."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from denshiban.access.reading import PAID_PART_CLASS
from denshiban.billing.models import Subscription, SubscriptionStatus
from denshiban.newsroom.models import AccessLevel, ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

DECLINED_CARD = "4000 0000 0000 0002"
TEST_CARD = "4242 4242 4242 4242"


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def _pay(page: Page, card: str) -> None:
    page.fill("input[name=card_number]", card)
    page.fill("input[name=card_expiry]", "12/30")
    page.fill("input[name=card_security_code]", "123")
    page.locator("button.billing-form__submit").click()
    page.wait_for_load_state()


def test_free_member_takes_the_campaign_from_the_paywall_and_reads_on(
    live_server, phone_page: Page, screenshot_dir: Path
) -> None:
    # Two paid articles: the first spends the monthly allowance, the second meets the paywall.
    first, second = ArticlePage.objects.live().filter(access_level=AccessLevel.PAID)[:2]
    page = phone_page
    _sign_in(page, live_server.url, "free@example.jp", "denshiban-free")
    page.goto(live_server.url + first.public_path)
    expect(page.locator(f".{PAID_PART_CLASS}")).to_have_count(1)

    page.goto(live_server.url + second.public_path)
    expect(page.locator(f".{PAID_PART_CLASS}")).to_have_count(0)
    paywall = page.locator(".paywall")
    expect(paywall).to_contain_text("初割ですべての記事が読み放題")
    expect(paywall).to_contain_text("有料会員が2カ月無料")
    page.screenshot(path=screenshot_dir / "paywall-phone.png", full_page=True)

    paywall.get_by_text("初割で無料体験する").click()
    page.wait_for_load_state()
    _pay(page, DECLINED_CARD)
    expect(
        page.get_by_text("カードが承認されませんでした。別のカードをお試しください。")
    ).to_be_visible()
    assert not Subscription.objects.filter(user__email="free@example.jp").exists()
    page.screenshot(path=screenshot_dir / "checkout-declined-phone.png", full_page=True)

    _pay(page, TEST_CARD)
    page.wait_for_url(f"**{second.public_path}")
    expect(page.locator(f".{PAID_PART_CLASS}")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "article-after-subscribing-phone.png", full_page=True)
    subscription = Subscription.objects.get(user__email="free@example.jp")
    assert subscription.status == SubscriptionStatus.TRIALING
    assert subscription.campaign is not None and subscription.campaign.name == "初割"
