"""Sending an issue: deliveries recorded, two-phase SMTP, failures retried and reported."""

from __future__ import annotations

import pytest
from django.utils import timezone

from denshiban.core.testing.smtp import SMTPServer
from denshiban.newsletters import composing, sending, services
from denshiban.newsletters.models import (
    IssueStatus,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

from .conftest import BODY_MARKER

pytestmark = pytest.mark.django_db


def confirmed_subscribers(newsletter: Newsletter, count: int, start: int = 0) -> list[Subscriber]:
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.jp",
            status=SubscriberStatus.CONFIRMED,
            consent_text="同意",
            consented_at=now,
            confirmed_at=now,
        )
        for n in range(start, start + count)
    )
    newsletter.subscribers.add(*subscribers)
    return subscribers


@pytest.fixture
def morning(site, article):
    return services.ensure_default_newsletters()[0]


@pytest.fixture
def issue(morning):
    return NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")


def test_issue_sent_through_a_real_smtp_server_once_per_subscriber(
    settings, issue, morning, django_capture_on_commit_callbacks
):
    confirmed_subscribers(morning, 30)
    with SMTPServer() as server:
        settings.MAILERS = {"default": server.mailer()}
        with django_capture_on_commit_callbacks(execute=True):
            sending.request_send(issue.pk)
        received = server.wait_for(30)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert sorted(m["To"] for m in received) == sorted(f"reader{n}@example.jp" for n in range(30))
    message = received[0]
    assert message["Subject"] == "けさの主なニュース"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "半導体投資、国内で加速" in text and "半導体投資、国内で加速" in html
    assert BODY_MARKER not in text and BODY_MARKER not in html
    assert composing.UNSUBSCRIBE_MARK not in text + html
    progress = sending.progress(issue)
    assert (progress.total, progress.sent, progress.failed) == (30, 30, 0)
