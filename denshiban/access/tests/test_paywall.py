"""The paywall box under the lead: the offers that apply to each reader, with their links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from denshiban.access.tests.factories import monthly_plan, sign_in, subscribe
from denshiban.billing.models import Campaign, CampaignEligibility, SubscriptionStatus
from denshiban.newsroom.tests.factories import add_article, paragraph

pytestmark = pytest.mark.django_db

SECRET = "有料部分の一文"


@pytest.fixture
def campaign(db):
    now = timezone.now()
    hatsuwari = Campaign.objects.create(
        name="初割",
        slug="hatsuwari",
        headline="初割ですべての記事が読み放題",
        offer="有料会員が2カ月無料",
        button_label="初割で無料体験する",
        trial_months=2,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        eligibility=CampaignEligibility.NOT_PAID_IN_12_MONTHS,
    )
    hatsuwari.plans.add(monthly_plan())
    return hatsuwari


def article_of(site, level="paid", **fields):
    return add_article(
        index=site["index"],
        section=site["section"],
        access_level=level,
        body=[paragraph(SECRET)],
        **fields,
    )


def html_of(client, article) -> str:
    return client.get(article.url).content.decode()


def test_guest_sees_the_campaign_leading_to_sign_up_then_subscribe(client, site, campaign):
    article = article_of(site)
    html = html_of(client, article)

    subscribe = f"/billing/subscribe/?next={quote(article.public_path)}"
    assert "初割ですべての記事が読み放題" in html
    assert "有料会員が2カ月無料" in html
    assert f'href="/accounts/signup/?next={quote(subscribe)}">初割で無料体験する' in html
    assert f'href="/accounts/login/?next={quote(article.public_path)}">ログイン' in html
    assert SECRET not in html


def test_free_member_past_the_allowance_goes_straight_to_subscribe(client, site, campaign):
    sign_in(client, "free_member_used_up", site=site)
    article = article_of(site)

    html = html_of(client, article)

    assert (
        f'href="/billing/subscribe/?next={quote(article.public_path)}">初割で無料体験する' in html
    )
    assert ">ログイン<" not in html.split('class="paywall"')[1]


def test_ineligible_member_is_told_why_and_offered_the_normal_subscription(client, site, campaign):
    user = sign_in(client, "free_member_used_up", site=site)
    subscribe(user, SubscriptionStatus.EXPIRED, running=False)
    article = article_of(site)

    html = html_of(client, article)

    assert "初割で無料体験する" not in html
    assert "初割の対象外です" in html
    assert (
        f'href="/billing/subscribe/?next={quote(article.public_path)}">有料会員に申し込む' in html
    )


def test_without_a_campaign_the_paywall_offers_the_subscription(client, site):
    html = html_of(client, article_of(site))
    assert "初割で無料体験する" not in html
    assert "有料会員に申し込む" in html


def test_guest_on_a_member_article_is_offered_free_sign_up_and_login(client, site, campaign):
    article = article_of(site, "member")
    html = html_of(client, article)
    assert f'href="/accounts/signup/?next={quote(article.public_path)}">無料会員に登録する' in html
    assert "この記事は会員限定です" in html
    # The paywall itself offers no 初割 here (the save button's gated panel may, rightly).
    paywall = html.split('<section class="paywall"', 1)[1].split("</section>", 1)[0]
    assert "初割で無料体験する" not in paywall


def test_newsletter_unlock_area_for_guests_on_eligible_articles(client, site):
    article = article_of(site, newsletter_unlock=True)
    html = html_of(client, article)
    assert f'<div class="paywall__newsletter" data-article="{article.pk}">' in html
    assert "ニュースレターを登録すると続きが読めます(無料)" in html


def test_no_newsletter_unlock_area_on_other_articles(client, site):
    assert "paywall__newsletter" not in html_of(client, article_of(site))


def test_no_newsletter_unlock_area_for_members(client, site):
    sign_in(client, "free_member_used_up", site=site)
    assert "paywall__newsletter" not in html_of(client, article_of(site, newsletter_unlock=True))


def test_free_member_sees_the_allowance_left_this_month(client, site):
    sign_in(client, "free_member")
    html = html_of(client, article_of(site, "free"))
    assert "今月あと1本" in html


def test_free_member_reading_the_last_allowance_is_told_it_is_used_up(client, site):
    sign_in(client, "free_member")
    html = html_of(client, article_of(site))
    assert SECRET in html
    assert "今月の無料で読める有料会員限定記事の本数を使い切りました。" in html


def test_paid_member_sees_no_allowance_badge(client, site):
    sign_in(client, "active")
    assert "allowance-badge" not in html_of(client, article_of(site))


def test_paid_member_article_page_stays_within_a_fixed_number_of_queries(
    client, site, django_assert_max_num_queries
):
    sign_in(client, "active")
    articles = [article_of(site) for _ in range(3)]
    client.get(articles[0].url)  # relations and navigation cached, as on a running site
    for article in articles[1:]:
        # Session, user, membership, article, its relations (reporters, topics, companies,
        # industries, photos), the section list; the member's keywords, saved state and follow
        # state (one each, whatever the page holds); Think! comments and list counts.
        with django_assert_max_num_queries(15):
            assert SECRET in html_of(client, article)
