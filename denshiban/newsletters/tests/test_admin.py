"""The editors' issue screens: compose, send, schedule, cancel, preview, progress."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from denshiban.accounts.tests.factories import UserFactory
from denshiban.core.dates import JST
from denshiban.newsletters import services
from denshiban.newsletters.models import (
    Delivery,
    DeliveryStatus,
    IssueArticle,
    IssueStatus,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

from .conftest import BODY_MARKER

pytestmark = pytest.mark.django_db

NS = "wagtailsnippets_newsletters_newsletterissue"


def url(name: str, issue: NewsletterIssue | None = None) -> str:
    return reverse(f"{NS}:{name}", args=[issue.pk] if issue else [])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def subscribers(newsletter: Newsletter, count: int, *, status=SubscriberStatus.CONFIRMED, start=0):
    now = timezone.now()
    made = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.jp",
            status=status,
            consent_text="同意",
            consented_at=now,
            confirmed_at=now if status == SubscriberStatus.CONFIRMED else None,
        )
        for n in range(start, start + count)
    )
    newsletter.subscribers.add(*made)
    return made


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def morning(site, article):
    return services.ensure_default_newsletters()[0]


@pytest.fixture
def issue(morning):
    return NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")


def _issue_form(newsletter: Newsletter, articles=(), **overrides) -> dict[str, str]:
    data = {
        "newsletter": str(newsletter.pk),
        "subject": "けさの主なニュース",
        "intro": "おはようございます。",
        "send_at": "",
        "items-TOTAL_FORMS": str(len(articles)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for position, article in enumerate(articles):
        data[f"items-{position}-article"] = str(article.pk)
        data[f"items-{position}-ORDER"] = str(position + 1)
        data[f"items-{position}-id"] = ""
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------
# Composing


def test_editor_creates_an_issue_with_chosen_articles(client, editor, morning, article):
    response = client.post(url("add"), _issue_form(morning, [article]))
    assert response.status_code == 302, response.content.decode()[:3000]
    issue = NewsletterIssue.objects.get(subject="けさの主なニュース")
    assert issue.status == IssueStatus.DRAFT
    assert issue.intro == "おはようございます。"
    assert list(issue.items.values_list("article_id", flat=True)) == [article.pk]
    assert response["Location"] == url("edit", issue)


def test_the_issue_form_explains_the_default_articles(client, editor, morning):
    html = client.get(url("add")).content.decode()
    assert "空のまま送ると、ニュースレターのセクションの最新記事が入ります" in html


def test_issue_without_subject_is_refused_and_the_text_kept(client, editor, morning):
    response = client.post(url("add"), _issue_form(morning, subject=""))
    assert response.status_code == 200
    assert "おはようございます。" in response.content.decode()
    assert not NewsletterIssue.objects.exists()


def test_a_scheduled_issue_cannot_be_moved_into_the_past(client, editor, issue):
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SCHEDULED, send_at=timezone.now() + timedelta(days=1)
    )
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    response = client.post(url("edit", issue), _issue_form(issue.newsletter, send_at=past))
    assert response.status_code == 200
    assert "配信日時は現在より後の日時にしてください" in response.content.decode()
    issue.refresh_from_db()
    assert issue.send_at > timezone.now()


def test_editing_a_draft_saves_and_stays_on_the_issue(client, editor, issue, article):
    response = client.post(
        url("edit", issue), _issue_form(issue.newsletter, [article], subject="夕方の主なニュース")
    )
    assert response.status_code == 302
    assert response["Location"] == url("edit", issue)
    issue.refresh_from_db()
    assert issue.subject == "夕方の主なニュース"
    assert issue.items.count() == 1


@pytest.mark.parametrize("status", [IssueStatus.SENDING, IssueStatus.SENT, IssueStatus.FAILED])
def test_an_issue_that_started_sending_cannot_be_edited(client, editor, issue, status):
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=status)
    response = client.get(url("edit", issue))
    assert response.status_code == 302
    assert response["Location"] == url("inspect", issue)
    assert any("送信を始めた配信は編集できません" in m for m in messages_of(response))

    response = client.post(url("edit", issue), _issue_form(issue.newsletter, subject="書き換え"))
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.subject == "けさの主なニュース"
    assert issue.status == status


def test_an_edit_posted_after_sending_started_changes_nothing(
    client, editor, issue, article, monkeypatch
):
    """The editor loaded a draft; a colleague pressed 送信する before the save arrived."""
    from denshiban.newsletters import admin_views

    clean = admin_views.IssueForm.clean

    def started_meanwhile(form):
        NewsletterIssue.objects.filter(pk=issue.pk).update(
            status=IssueStatus.SENDING, html_body="<p>snapshot</p>"
        )
        return clean(form)

    monkeypatch.setattr(admin_views.IssueForm, "clean", started_meanwhile)
    response = client.post(url("edit", issue), _issue_form(issue.newsletter, [article]))
    assert response.status_code == 302
    assert any("送信を始めた配信は編集できません" in m for m in messages_of(response))
    issue.refresh_from_db()
    assert (issue.status, issue.subject, issue.html_body) == (
        IssueStatus.SENDING,
        "けさの主なニュース",
        "<p>snapshot</p>",
    )
    assert not issue.items.exists()


def test_the_inspect_page_of_a_sent_issue_offers_no_edit_or_send(client, editor, issue):
    started = datetime(2026, 5, 1, 7, 0, tzinfo=JST)
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, started_at=started, finished_at=started + timedelta(minutes=3)
    )
    html = client.get(url("inspect", issue)).content.decode()
    assert "2026年5月1日 7:00" in html and "2026年5月1日 7:03" in html
    assert url("edit", issue) not in html
    assert url("send", issue) not in html
    assert url("progress", issue) in html


def test_only_drafts_can_be_deleted(client, editor, issue):
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
    response = client.post(url("delete", issue))
    assert response.status_code == 302
    assert any("削除できるのは下書きの配信だけです" in m for m in messages_of(response))
    assert NewsletterIssue.objects.filter(pk=issue.pk).exists()

    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.DRAFT)
    client.post(url("delete", issue))
    assert not NewsletterIssue.objects.filter(pk=issue.pk).exists()


def test_bulk_delete_leaves_issues_that_are_not_drafts(client, editor, issue, morning):
    sent = NewsletterIssue.objects.create(newsletter=morning, subject="送った号", status="sent")
    bulk = reverse("wagtail_bulk_action", args=("newsletters", "newsletterissue", "delete"))
    client.post(f"{bulk}?id={issue.pk}&id={sent.pk}")
    assert list(NewsletterIssue.objects.values_list("subject", flat=True)) == ["送った号"]


# ---------------------------------------------------------------------------------------
# Sending, scheduling, cancelling


def test_send_now_mails_every_confirmed_subscriber_and_shows_full_progress(
    client, editor, issue, morning, django_capture_on_commit_callbacks
):
    subscribers(morning, 5)
    subscribers(morning, 2, status=SubscriberStatus.PENDING, start=10)
    other = Newsletter.objects.exclude(pk=morning.pk).first()
    subscribers(other, 3, start=20)

    assert client.get(url("send", issue)).status_code == 200  # the confirmation page
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("send", issue))
    assert response.status_code == 302
    assert response["Location"] == url("progress", issue)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.jp" for n in range(5)]
    assert all(BODY_MARKER not in m.body for m in mail.outbox)

    html = client.get(url("progress", issue)).content.decode()
    assert "送信 5 / 全 5(失敗 0)" in html
    assert 'hx-trigger="every 2s"' not in html  # finished: nothing left to poll for
    listing = client.get(url("list")).content.decode()
    assert "送信 5 / 全 5(失敗 0)" in listing
    entry = ModelLogEntry.objects.get(action="newsletters.send")
    assert (entry.object_id, entry.user_id) == (str(issue.pk), editor.pk)


def test_the_send_page_names_the_recipients_and_default_articles(
    client, editor, issue, morning, article
):
    subscribers(morning, 3)
    html = client.get(url("send", issue)).content.decode()
    assert "登録済みの購読者 3 人" in html
    assert article.title in html
    assert not issue.items.exists()


def test_sending_a_sent_issue_is_refused_and_changes_nothing(client, editor, issue):
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
    response = client.post(url("send", issue))
    assert response.status_code == 302
    assert "この配信はすでに送信を始めています。" in messages_of(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert not Delivery.objects.exists() and not mail.outbox


def test_scheduling_in_the_past_is_refused_with_the_time_kept(client, editor, issue):
    past = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("schedule", issue), {"send_at": past})
    html = response.content.decode()
    assert response.status_code == 200
    assert "配信日時は現在より後の日時を指定してください。" in html
    assert f'value="{past}"' in html
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT and issue.send_at is None
    assert not issue.items.exists() and not mail.outbox


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "配信日時を入力してください。"), ("あした", "配信日時を正しく入力してください")],
)
def test_scheduling_without_a_readable_time_is_refused(client, editor, issue, typed, message):
    response = client.post(url("schedule", issue), {"send_at": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_schedule_then_cancel(client, editor, issue):
    when = timezone.localtime() + timedelta(days=1)
    response = client.post(url("schedule", issue), {"send_at": when.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert any("に配信を予約しました。" in m for m in messages_of(response))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED
    assert issue.send_at == when.replace(second=0, microsecond=0)
    assert not mail.outbox

    edit_page = client.get(url("edit", issue)).content.decode()
    assert url("cancel", issue) in edit_page

    response = client.post(url("cancel", issue))
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT
    history = client.get(url("history", issue)).content.decode()
    assert "配信を予約しました" in history and "配信の予約を取り消しました" in history


def test_cancelling_an_issue_that_is_not_scheduled_is_refused(client, editor, issue):
    response = client.post(url("cancel", issue))
    assert "予約されていない配信は取り消せません。" in messages_of(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_actions_are_posts_only(client, editor, issue):
    client.get(url("cancel", issue))
    client.get(url("send", issue))
    client.get(url("schedule", issue), {"send_at": "2099-01-01T07:00"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT and not Delivery.objects.exists()


def test_actions_need_the_change_permission(client, issue):
    viewer = UserFactory(is_staff=True)
    group = Group.objects.create(name="閲覧のみ")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_newsletterissue"),
    )
    viewer.groups.add(group)
    client.force_login(viewer)
    for name in ("send", "schedule", "cancel"):
        response = client.post(url(name, issue), {"send_at": "2099-01-01T07:00"})
        # Wagtail answers a refused admin view with a redirect to the dashboard.
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert client.get(url("progress", issue)).status_code == 200
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_actions_need_the_csrf_token(issue, editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(url("send", issue)).status_code == 403
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


# ---------------------------------------------------------------------------------------
# Preview


def test_preview_of_an_issue_without_articles_uses_the_defaults_without_saving(
    client, editor, issue, article
):
    html = client.get(url("issue_preview_html", issue)).content.decode()
    assert article.title in html and article.lead in html
    assert BODY_MARKER not in html
    text_page = client.get(url("issue_preview_text", issue)).content.decode()
    assert article.title in text_page and BODY_MARKER not in text_page
    page = client.get(url("issue_preview", issue)).content.decode()
    assert "最新記事で表示しています" in page
    assert not IssueArticle.objects.filter(issue=issue).exists()


def test_preview_shows_the_chosen_articles(client, editor, issue, site):
    from denshiban.newsroom.tests.factories import add_article

    chosen = add_article(index=site["index"], section=site["section"], title="選んだ記事")
    IssueArticle.objects.create(issue=issue, article=chosen, sort_order=0)
    html = client.get(url("issue_preview_html", issue)).content.decode()
    assert "選んだ記事" in html
    assert "半導体投資、国内で加速" not in html


def test_preview_of_a_sent_issue_is_what_was_sent(client, editor, issue):
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, html_body="<p>送った本文</p>", text_body="送った本文"
    )
    response = client.get(url("issue_preview_html", issue))
    assert response.content.decode() == "<p>送った本文</p>"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


# ---------------------------------------------------------------------------------------
# Progress


def _sending_issue(issue: NewsletterIssue, morning: Newsletter, **fields) -> NewsletterIssue:
    people = subscribers(morning, 6)
    statuses = [DeliveryStatus.SENT] * 3 + [DeliveryStatus.FAILED, DeliveryStatus.SKIPPED]
    statuses += [DeliveryStatus.PENDING]
    Delivery.objects.bulk_create(
        Delivery(
            issue=issue,
            subscriber=person,
            status=status,
            error="550 mailbox unavailable" if status == DeliveryStatus.FAILED else "",
        )
        for person, status in zip(people, statuses, strict=True)
    )
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENDING, total=6, started_at=timezone.now(), **fields
    )
    issue.refresh_from_db()
    return issue


def test_progress_fragment_polls_while_sending_and_counts_each_state(
    client, editor, issue, morning
):
    _sending_issue(issue, morning)
    html = client.get(url("progress_fragment", issue)).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{url("progress_fragment", issue)}"' in html
    assert "送信 3 / 全 6(失敗 1)" in html
    for step, count in {"total": 6, "sent": 3, "failed": 1, "skipped": 1, "pending": 1}.items():
        assert f'data-count="{step}">{count}<' in html
    assert "メールサーバーへの送信に失敗しています" not in html


def test_progress_reports_a_failing_mail_server_and_the_next_retry(client, editor, issue, morning):
    retry_at = timezone.now() + timedelta(minutes=2)
    _sending_issue(
        issue,
        morning,
        retries=2,
        last_error="2026-05-01 07:00:01 ConnectionRefusedError: [Errno 111]",
        paused_until=retry_at,
    )
    html = client.get(url("progress_fragment", issue)).content.decode()
    assert "メールサーバーへの送信に失敗しています。再試行します。" in html
    assert "ConnectionRefusedError: [Errno 111]" in html
    assert timezone.localtime(retry_at).strftime("%H:%M:%S") in html


def test_progress_of_a_stopped_issue_says_so_and_stops_polling(client, editor, issue, morning):
    _sending_issue(issue, morning, last_error="SMTPServerDisconnected")
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.FAILED)
    html = client.get(url("progress_fragment", issue)).content.decode()
    assert "送信を中止しました" in html
    assert "SMTPServerDisconnected" in html
    assert "hx-trigger" not in html


def test_progress_page_lists_failed_addresses_page_by_page(client, editor, issue, morning):
    people = subscribers(morning, 55)
    Delivery.objects.bulk_create(
        Delivery(issue=issue, subscriber=p, status=DeliveryStatus.FAILED, error=f"550 no {n}")
        for n, p in enumerate(people)
    )
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT, total=55)
    first = client.get(url("progress", issue)).content.decode()
    assert "reader0@example.jp" in first and "550 no 0" in first
    assert "reader54@example.jp" not in first
    assert "1 / 2 ページ(全 55 件)" in first
    second = client.get(url("progress", issue), {"p": 2}).content.decode()
    assert "reader54@example.jp" in second and "reader0@example.jp" not in second


def test_progress_fragment_runs_a_fixed_number_of_queries(
    client, editor, issue, morning, django_assert_max_num_queries
):
    _sending_issue(issue, morning)
    client.get(url("progress_fragment", issue))
    with django_assert_max_num_queries(8):
        client.get(url("progress_fragment", issue))


def test_issue_list_counts_progress_in_one_query_for_the_page(client, editor, morning):
    def listing_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("list")).status_code == 200
        return len(queries)

    NewsletterIssue.objects.create(newsletter=morning, subject="一号")
    listing_queries()  # the first request also fills per-process caches
    few = listing_queries()
    for n in range(6):
        NewsletterIssue.objects.create(newsletter=morning, subject=f"号外{n}", status="sent")
    assert listing_queries() == few
