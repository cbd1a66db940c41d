"""Sending an issue: deliveries recorded, two-phase SMTP, failures retried and reported."""

from __future__ import annotations

import email
import email.policy
import io
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail
from django.core.management import call_command
from django.utils import timezone

from denshiban.core.testing.smtp import HOST, SMTPServer, free_port
from denshiban.newsletters import composing, sending, services
from denshiban.newsletters.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)
from denshiban.newsletters.tasks import drain_issue, prepare_issue

from .conftest import BODY_MARKER

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


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


@pytest.fixture
def prepared(settings, issue, morning, django_capture_on_commit_callbacks):
    """An issue started and prepared for 6 readers, with no task run on its own."""
    settings.TASKS = DUMMY_TASKS
    confirmed_subscribers(morning, 6)
    with django_capture_on_commit_callbacks(execute=True):
        sending.request_send(issue.pk)
    assert sending.prepare(issue.pk) == 6
    return issue


class ScriptedHandler:
    """aiosmtpd handler refusing what a test names; keeps the raw messages it accepts."""

    def __init__(self) -> None:
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data: dict[str, str] = {}
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        self.accepted.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def recipients(self) -> Counter[str]:
        return Counter(
            email.message_from_bytes(raw, policy=email.policy.default)["To"]
            for raw in self.accepted
        )


@pytest.fixture
def scripted(settings):
    handler = ScriptedHandler()
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": HOST, "port": port, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


def statuses(issue: NewsletterIssue) -> dict[str, str]:
    return dict(issue.deliveries.values_list("subscriber__email", "status"))


def end_pause(issue: NewsletterIssue) -> None:
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )


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


def test_the_wire_copy_reads_as_the_message_django_builds(prepared):
    prepared.refresh_from_db()
    issue_mail = composing.IssueMail.for_issue(prepared)
    subscriber = Subscriber.objects.get(email="reader3@example.jp")
    wire = issue_mail.wire_bytes(subscriber.pk, subscriber.email)
    assert b"\r\n." not in wire and b"\n" not in wire.replace(b"\r\n", b"")
    fast = email.message_from_bytes(wire, policy=email.policy.default)
    django = email.message_from_bytes(
        issue_mail.message(subscriber.pk, subscriber.email).message().as_bytes(),
        policy=email.policy.default,
    )
    assert not fast.defects
    for header in (
        "Subject",
        "From",
        "To",
        "Message-ID",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "Precedence",
    ):
        assert fast[header] == django[header], header
    assert fast["Message-ID"] == f"<newsletter.{prepared.pk}.{subscriber.pk}@example.jp>"
    for kind in ("plain", "html"):
        fast_body = fast.get_body(preferencelist=(kind,)).get_content()
        assert fast_body.replace("\r\n", "\n") == django.get_body(
            preferencelist=(kind,)
        ).get_content().replace("\r\n", "\n")
        assert issue_mail.unsubscribe_url(subscriber.pk) in fast_body


def test_server_down_pauses_the_issue_and_loses_nothing(
    settings, prepared, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here yet
    settings.MAILERS = {"default": SMTPServer(port=port).mailer()}
    settings.NEWSLETTER_RETRY_SECONDS = 30
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        report = sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert report.sent == 0 and "ConnectionRefusedError" in report.error
    assert prepared.status == IssueStatus.SENDING
    assert prepared.retries == 1
    assert "ConnectionRefusedError" in prepared.last_error
    assert (
        before + timedelta(seconds=29)
        < prepared.paused_until
        < timezone.now() + timedelta(seconds=31)
    )
    assert set(statuses(prepared).values()) == {DeliveryStatus.PENDING}
    assert not prepared.deliveries.exclude(claim="").exists()
    # The drains that take over after the pause are queued for that time.
    deferred = [r for r in drain_issue.get_backend().results if r.task.run_after]
    assert deferred and all(r.task.run_after == prepared.paused_until for r in deferred)

    with SMTPServer(port=port) as server:
        assert sending.drain(prepared.pk).sent == 0  # still paused
        end_pause(prepared)
        report = sending.drain(prepared.pk)
        received = server.wait_for(6)
    prepared.refresh_from_db()
    assert report.sent == 6
    assert prepared.status == IssueStatus.SENT
    assert Counter(m["To"] for m in received) == {f"reader{n}@example.jp": 1 for n in range(6)}


def test_after_max_retries_the_issue_fails_with_every_unsent_delivery(settings, prepared):
    settings.MAILERS = {"default": SMTPServer(port=free_port()).mailer()}
    settings.NEWSLETTER_MAX_RETRIES = 2
    for expected_retries in (1, 2):
        sending.drain(prepared.pk)
        prepared.refresh_from_db()
        assert (prepared.status, prepared.retries) == (IssueStatus.SENDING, expected_retries)
        end_pause(prepared)

    sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.status == IssueStatus.FAILED
    assert prepared.finished_at is not None
    assert "ConnectionRefusedError" in prepared.last_error
    failed = prepared.deliveries.all()
    assert {d.status for d in failed} == {DeliveryStatus.FAILED}
    assert all("ConnectionRefusedError" in d.error for d in failed)
    progress = sending.progress(prepared)
    assert (progress.failed, progress.pending) == (6, 0)


def test_delivering_between_failures_starts_the_retry_count_afresh(settings, prepared, scripted):
    settings.NEWSLETTER_BATCH_SIZE = 2
    NewsletterIssue.objects.filter(pk=prepared.pk).update(
        retries=5, paused_until=timezone.now() - timedelta(minutes=1)
    )
    scripted.refuse_rcpt["reader4@example.jp"] = "421 4.3.2 Service shutting down"

    sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.retries == 1
    assert sorted(scripted.recipients()) == [f"reader{n}@example.jp" for n in range(4)]


def test_a_refused_address_fails_alone_and_the_issue_goes_on(prepared, scripted):
    scripted.refuse_rcpt["reader2@example.jp"] = "550 5.1.1 No such user"

    report = sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert (report.sent, report.failed) == (5, 1)
    assert prepared.status == IssueStatus.SENT
    refused = prepared.deliveries.get(subscriber__email="reader2@example.jp")
    assert refused.status == DeliveryStatus.FAILED
    assert "550" in refused.error and "No such user" in refused.error
    assert scripted.recipients() == {f"reader{n}@example.jp": 1 for n in range(6) if n != 2}
    progress = sending.progress(prepared)
    assert (progress.total, progress.sent, progress.failed, progress.done) == (6, 5, 1, 6)


def test_a_temporary_refusal_at_the_end_of_data_puts_the_delivery_back(prepared, scripted):
    scripted.refuse_data["reader2@example.jp"] = "451 4.3.0 Try again later"

    report = sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert report.sent == 2 and "451" in report.error
    refused = prepared.deliveries.get(subscriber__email="reader2@example.jp")
    assert (refused.status, refused.sent_at, refused.attempts) == (
        DeliveryStatus.PENDING,
        None,
        1,
    )
    assert prepared.paused_until is not None and prepared.retries == 1
    assert set(scripted.recipients()) == {"reader0@example.jp", "reader1@example.jp"}

    del scripted.refuse_data["reader2@example.jp"]
    end_pause(prepared)
    sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.status == IssueStatus.SENT
    assert scripted.recipients() == {f"reader{n}@example.jp": 1 for n in range(6)}


def test_an_address_refused_for_now_again_and_again_fails_without_holding_up_the_rest(
    prepared, scripted
):
    scripted.refuse_rcpt["reader0@example.jp"] = "450 4.2.1 Mailbox busy"
    for _round in range(sending.MAX_REFUSALS - 1):
        assert sending.drain(prepared.pk).sent == 0
        end_pause(prepared)

    report = sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert (report.sent, report.failed) == (5, 1)
    assert prepared.status == IssueStatus.SENT
    busy = prepared.deliveries.get(subscriber__email="reader0@example.jp")
    assert (busy.status, busy.attempts) == (DeliveryStatus.FAILED, sending.MAX_REFUSALS)
    assert "450" in busy.error


def test_subscribers_who_left_after_preparation_are_skipped(prepared, morning, scripted):
    Subscriber.objects.filter(email="reader1@example.jp").update(
        status=SubscriberStatus.UNSUBSCRIBED
    )
    morning.subscribers.remove(Subscriber.objects.get(email="reader4@example.jp"))

    report = sending.drain(prepared.pk)

    prepared.refresh_from_db()
    assert (report.sent, report.skipped) == (4, 2)
    assert prepared.status == IssueStatus.SENT
    assert set(scripted.recipients()) == {f"reader{n}@example.jp" for n in (0, 2, 3, 5)}
    skipped = {k for k, v in statuses(prepared).items() if v == DeliveryStatus.SKIPPED}
    assert skipped == {"reader1@example.jp", "reader4@example.jp"}


def test_a_batch_taken_over_by_another_worker_is_not_sent_twice(settings, prepared, scripted):
    """A worker that outlived its lease finds its commit refused and sends nothing."""
    settings.NEWSLETTER_BATCH_SIZE = 6
    tuning = sending.Tuning.current()
    long_ago = timezone.now() - timedelta(hours=1)
    assert sending._claim_batch(prepared.pk, "slow", long_ago, tuning) == 6
    assert sending._claim_batch(prepared.pk, "fresh", timezone.now(), tuning) == 6
    prepared.refresh_from_db()
    report = sending.DrainReport()

    sending._send_batch(composing.IssueMail.for_issue(prepared), "slow", report, tuning)

    assert report.sent == 0
    assert scripted.accepted == []
    assert set(prepared.deliveries.values_list("claim", "status")) == {
        ("fresh", DeliveryStatus.SENDING)
    }


def test_a_drain_past_its_time_hands_over_to_a_fresh_task(settings, prepared, scripted):
    settings.NEWSLETTER_BATCH_SIZE = 2
    settings.NEWSLETTER_DRAIN_SECONDS = 0
    backend = drain_issue.get_backend()
    backend.clear()

    report = sending.drain(prepared.pk)

    assert (report.batches, report.sent) == (1, 2)
    assert [(r.task.name, r.args, r.task.run_after) for r in backend.results] == [
        (drain_issue.name, [prepared.pk], None)
    ]
    assert sending.progress(prepared).pending == 4


def test_a_due_scheduled_issue_is_started_by_newsletter_tick(
    issue, morning, django_capture_on_commit_callbacks
):
    confirmed_subscribers(morning, 3)
    sending.request_send(issue.pk, send_at=timezone.now() + timedelta(hours=1))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED
    call_command("newsletter_tick", stdout=io.StringIO())
    assert NewsletterIssue.objects.get(pk=issue.pk).status == IssueStatus.SCHEDULED

    NewsletterIssue.objects.filter(pk=issue.pk).update(
        send_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("newsletter_tick", stdout=io.StringIO())

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert sorted(m.to[0] for m in django_mail.outbox) == [
        f"reader{n}@example.jp" for n in range(3)
    ]


def test_a_preparation_cut_short_is_run_again_not_sent_half_done(
    settings, issue, morning, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    subscribers = confirmed_subscribers(morning, 5)
    with django_capture_on_commit_callbacks(execute=True):
        sending.request_send(issue.pk)
    # The worker died after writing two rows, before the total.
    Delivery.objects.bulk_create(Delivery(issue=issue, subscriber=s) for s in subscribers[:2])
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        started_at=timezone.now() - timedelta(hours=1)
    )
    backend = drain_issue.get_backend()
    backend.clear()

    assert sending.resume_stalled() == 1

    queued = [r.task.name for r in backend.results]
    assert queued == [prepare_issue.name]
    assert sending.prepare(issue.pk) == 5
