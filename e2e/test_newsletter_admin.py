"""An editor composes an issue, sends it and watches it, then looks at subscribers and the funnel.

Screenshots go to e2e/screenshots/newsletter-admin-*.png.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from denshiban.access.tests.factories import subscribe
from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Subscription, SubscriptionStatus
from denshiban.core.dates import JST
from denshiban.newsletters.models import (
    Delivery,
    DeliveryStatus,
    FunnelDay,
    IssueArticle,
    IssueStatus,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)
from denshiban.newsletters.services import MORNING_SLUG
from denshiban.newsroom.models import AccessLevel, ArticlePage

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_paper")]

NS = "/admin/snippets/newsletters/newsletterissue"


def _sign_in_as_editor(page: Page, base: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "denshiban-editor")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(base + "/admin/")


def _readers(morning: Newsletter, articles: list[ArticlePage]) -> None:
    """Forty confirmed readers from the demo articles, a few pending or gone, one paid later."""
    now = timezone.now()
    statuses = [SubscriberStatus.CONFIRMED] * 40 + [SubscriberStatus.PENDING] * 3
    statuses += [SubscriberStatus.UNSUBSCRIBED] * 2
    people = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n:02d}@example.jp",
            status=status,
            source_article=articles[n % len(articles)],
            consent_text="ニュースレターとキャンペーンのご案内の配信に同意します。",
            consented_at=now - timedelta(days=n % 20, hours=1),
            confirmed_at=(
                now - timedelta(days=n % 20) if status == SubscriberStatus.CONFIRMED else None
            ),
        )
        for n, status in enumerate(statuses)
    )
    morning.subscribers.add(*people)
    for later_member in (people[5], people[13], people[22]):
        member = UserFactory(email=later_member.email)
        subscription = subscribe(member, SubscriptionStatus.ACTIVE)
        Subscription.objects.filter(pk=subscription.pk).update(created_at=now)
        Subscriber.objects.filter(pk=later_member.pk).update(user=member)
    today = now.astimezone(JST).date()
    FunnelDay.objects.bulk_create(
        FunnelDay(
            day=today - timedelta(days=days_ago),
            article=article,
            shown=120 - 15 * position + days_ago,
            submitted=12 - position,
        )
        for position, article in enumerate(articles)
        for days_ago in range(0, 20, 4)
    )


def test_editor_sends_an_issue_and_reads_the_funnel(
    live_server, desktop_page: Page, screenshot_dir: Path
) -> None:
    page = desktop_page
    base = live_server.url
    morning = Newsletter.objects.get(slug=MORNING_SLUG)
    articles = list(
        ArticlePage.objects.live()
        .filter(access_level__in=[AccessLevel.PAID, AccessLevel.FREE])
        .order_by("-first_published_at")[:6]
    )
    _readers(morning, articles)
    issue = NewsletterIssue.objects.create(
        newsletter=morning,
        subject="けさの主なニュース(5月1日)",
        intro="おはようございます。けさの主なニュースをお届けします。",
    )
    for position, article in enumerate(articles[:3]):
        IssueArticle.objects.create(issue=issue, article=article, sort_order=position)

    _sign_in_as_editor(page, base)

    # The issue: form, chosen articles, and the actions above it.
    page.goto(f"{base}{NS}/edit/{issue.pk}/")
    expect(page.get_by_role("link", name="送信する")).to_be_visible()
    expect(
        page.get_by_text("空のまま送ると、ニュースレターのセクションの最新記事が入ります")
    ).to_be_visible()
    # The admin scrolls inside its own pane, so a tall window shows the whole form.
    page.set_viewport_size({"width": 1280, "height": 1700})
    page.screenshot(path=screenshot_dir / "newsletter-admin-issue-edit.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Scheduling in the past is refused in Japanese, with the time kept.
    page.fill("input[name=send_at][type=datetime-local]", "2020-01-01T07:00")
    page.get_by_role("button", name="予約する").click()
    expect(page.get_by_text("配信日時は現在より後の日時を指定してください。")).to_be_visible()
    expect(page.locator("input[name=send_at]")).to_have_value("2020-01-01T07:00")
    page.screenshot(path=screenshot_dir / "newsletter-admin-schedule-refused.png", full_page=True)

    # The preview in the admin.
    page.goto(f"{base}{NS}/preview-issue/{issue.pk}/")
    frame = page.frame_locator("iframe.nl-preview-frame")
    expect(frame.get_by_text(articles[0].title).first).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-preview.png", full_page=True)

    # Send now: the confirmation page, then the progress page once it has gone out.
    page.goto(f"{base}{NS}/edit/{issue.pk}/")
    page.get_by_role("link", name="送信する").click()
    expect(page.get_by_text("登録済みの購読者 40 人")).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-send-confirm.png", full_page=True)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("送信 40 / 全 40(失敗 0)")).to_be_visible()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    page.screenshot(path=screenshot_dir / "newsletter-admin-progress.png", full_page=True)

    # A sent issue is a record: its edit page sends the editor to the read-only view.
    page.goto(f"{base}{NS}/edit/{issue.pk}/")
    expect(page.get_by_text("送信を始めた配信は編集できません。")).to_be_visible()
    expect(page.get_by_role("link", name="送信する")).to_have_count(0)
    page.wait_for_timeout(600)  # the message slides in
    page.screenshot(path=screenshot_dir / "newsletter-admin-issue-sent.png", full_page=True)

    # An issue the mail server is refusing: retrying, with the error and the next try; the
    # page keeps asking for the numbers and shows the issue finishing when it does.
    failing = NewsletterIssue.objects.create(newsletter=morning, subject="夕刊ニュースレター")
    confirmed_readers = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).order_by("pk")
    Delivery.objects.bulk_create(
        Delivery(
            issue=failing,
            subscriber=person,
            status=(
                DeliveryStatus.SENT
                if n < 25
                else DeliveryStatus.FAILED
                if n < 27
                else DeliveryStatus.PENDING
            ),
            error="550 5.1.1 mailbox unavailable" if 25 <= n < 27 else "",
        )
        for n, person in enumerate(confirmed_readers)
    )
    now = timezone.now()
    NewsletterIssue.objects.filter(pk=failing.pk).update(
        status=IssueStatus.SENDING,
        total=40,
        started_at=now - timedelta(minutes=3),
        retries=2,
        last_error=f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} "
        "ConnectionRefusedError: [Errno 111] Connection refused",
        paused_until=now + timedelta(minutes=1),
    )
    page.goto(f"{base}{NS}/progress/{failing.pk}/")
    expect(
        page.get_by_text("メールサーバーへの送信に失敗しています。再試行します。")
    ).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-progress-retrying.png", full_page=True)
    Delivery.objects.filter(issue=failing, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT
    )
    NewsletterIssue.objects.filter(pk=failing.pk).update(
        status=IssueStatus.SENT, finished_at=timezone.now()
    )
    expect(page.get_by_text("送信 38 / 全 40(失敗 2)")).to_be_visible(timeout=6000)
    expect(page.locator("#issue-progress[hx-trigger]")).to_have_count(0)

    # The issue list with its progress column.
    page.goto(f"{base}{NS}/")
    expect(page.get_by_text("送信 40 / 全 40(失敗 0)")).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-issues.png", full_page=True)

    # Subscribers, filtered by list, with the CSV download.
    page.goto(f"{base}/admin/snippets/newsletters/subscriber/?lists={morning.pk}&q=reader0")
    expect(page.get_by_text("reader00@example.jp")).to_be_visible()
    expect(page.get_by_role("link", name="CSVをダウンロード")).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-subscribers.png", full_page=True)
    export = page.request.get(
        f"{base}/admin/snippets/newsletters/subscriber/?lists={morning.pk}&export=csv"
    )
    csv_text = export.body().decode("utf-8-sig")
    assert csv_text.startswith("メールアドレス,状態,購読リスト")
    assert csv_text.count("\n") == 1 + 45

    # The funnel.
    page.goto(f"{base}/admin/newsletters/funnel/")
    expect(
        page.get_by_role("heading", name="記事別(フォーム表示の多い順、50件まで)")
    ).to_be_visible()
    page.screenshot(path=screenshot_dir / "newsletter-admin-funnel.png", full_page=True)
