"""Sending an issue: one delivery row per recipient, claimed in batches by background tasks.

Exactly once, also when a worker process dies mid-send:

- A batch is claimed before anything leaves: its deliveries become SENDING with a claim
  token and a lease. A claim whose lease has run out belongs to a worker that died and is
  taken again by the next batch.
- Over SMTP each message is handed over in two steps: the envelope and the whole message
  except the final "." go to the server, then the delivery is committed as SENT, then the
  "." is written. Killed before the commit, the worker leaves a message the server never
  completes (it discards it) and a delivery still claimed, sent again later; killed after
  the commit, the "." is a single write away. The one gap left is the few microseconds
  between the commit returning and that write.
- An SMTP failure that may pass (connection refused, 4xx) puts the batch back, pauses the
  issue with a growing delay and records the error for the admin; after MAX_RETRIES the
  issue stops as failed with every unsent recipient marked. A refusal of one address (5xx)
  marks that delivery failed and the issue goes on.
"""

from __future__ import annotations

import email.policy
import logging
import re
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import composing, tokens
from .models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

BATCH_SIZE = getattr(settings, "NEWSLETTER_BATCH_SIZE", 200)
PARALLEL_TASKS = getattr(settings, "NEWSLETTER_PARALLEL_TASKS", 4)
LEASE = timedelta(seconds=getattr(settings, "NEWSLETTER_LEASE_SECONDS", 120))
RETRY_SECONDS = getattr(settings, "NEWSLETTER_RETRY_SECONDS", 30)
MAX_RETRY_DELAY = timedelta(minutes=30)
MAX_RETRIES = getattr(settings, "NEWSLETTER_MAX_RETRIES", 8)
PREPARE_CHUNK = 2000

CLAIMABLE = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING)


class IssueStateError(Exception):
    """The issue cannot do what was asked in its present state; the message says why."""


class TransientFailure(Exception):
    """The mail server cannot take mail now; the batch is put back and retried later."""


class PermanentFailure(Exception):
    """The server refused this one message or address; retrying would not help."""


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    pending: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped


def progress(issue: NewsletterIssue) -> Progress:
    """Counts for the admin, in one grouped query."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = issue.deliveries.values_list("status").annotate(n=Count("pk")).order_by()
    for status, n in rows:
        counts[status] = n
    return Progress(
        total=issue.total or sum(counts.values()),
        sent=counts[DeliveryStatus.SENT],
        failed=counts[DeliveryStatus.FAILED],
        skipped=counts[DeliveryStatus.SKIPPED],
        pending=counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING],
    )


# ---------------------------------------------------------------------------------------
# Starting


def request_send(issue_id: int, *, send_at: datetime | None = None) -> NewsletterIssue:
    """The editor's 送信する (or 予約する with a time in the future)."""
    now = timezone.now()
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
            raise IssueStateError(_("この配信はすでに送信を始めています。"))
        composing.fill_default_articles(issue)
        if not issue.items.exists():
            raise IssueStateError(_("掲載する記事がありません。記事を選んでください。"))
        if send_at is not None and send_at > now:
            issue.status = IssueStatus.SCHEDULED
            issue.send_at = send_at
            issue.save(update_fields=["status", "send_at", "updated_at"])
            return issue
        _start(issue, now)
    return issue


def cancel_schedule(issue_id: int) -> NewsletterIssue:
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if issue.status != IssueStatus.SCHEDULED:
            raise IssueStateError(_("予約されていない配信は取り消せません。"))
        issue.status = IssueStatus.DRAFT
        issue.save(update_fields=["status", "updated_at"])
    return issue


def _start(issue: NewsletterIssue, now: datetime) -> None:
    issue.html_body, issue.text_body = composing.render_parts(issue)
    issue.status = IssueStatus.SENDING
    issue.started_at = now
    issue.send_at = issue.send_at or now
    issue.save()
    transaction.on_commit(lambda: _enqueue_prepare(issue.pk))


def _enqueue_prepare(issue_id: int) -> None:
    from .tasks import prepare_issue

    prepare_issue.enqueue(issue_id)


def _enqueue_drains(issue_id: int, count: int, run_after: datetime | None = None) -> int:
    """Queue `count` drain tasks; a backend that cannot defer gets none for later."""
    from .tasks import drain_issue

    task = drain_issue
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return 0
        task = task.using(run_after=run_after)
    for _i in range(count):
        task.enqueue(issue_id)
    return count


def start_due_issues(now: datetime | None = None) -> int:
    """Start the scheduled issues whose time has come (run by newsletter_tick)."""
    now = now or timezone.now()
    started = 0
    due = NewsletterIssue.objects.filter(status=IssueStatus.SCHEDULED, send_at__lte=now)
    for issue_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
            if issue.status == IssueStatus.SCHEDULED and issue.send_at <= now:
                _start(issue, now)
                started += 1
    return started


def resume_stalled(now: datetime | None = None) -> int:
    """Queue drains for sending issues nobody is working on (e.g. every worker was restarted)."""
    now = now or timezone.now()
    resumed = 0
    for issue in NewsletterIssue.objects.filter(status=IssueStatus.SENDING):
        if issue.paused_until and issue.paused_until > now:
            continue
        deliveries = issue.deliveries
        if deliveries.filter(status=DeliveryStatus.SENDING, lease_until__gt=now).exists():
            continue  # a worker holds a live claim: it is working
        if not issue.total and not deliveries.exists():
            _enqueue_prepare(issue.pk)  # the prepare task itself was lost
            resumed += 1
            continue
        if deliveries.filter(CLAIMABLE).exists():
            resumed += _enqueue_drains(issue.pk, PARALLEL_TASKS) and 1
        else:
            _finish(issue.pk, now)
    return resumed


# ---------------------------------------------------------------------------------------
# Preparing: one delivery row per recipient, written before anything is sent


def prepare(issue_id: int) -> int:
    """Record a delivery for every confirmed subscriber of the list; safe to run twice."""
    issue = NewsletterIssue.objects.get(pk=issue_id)
    if issue.status != IssueStatus.SENDING:
        return 0
    recipients = (
        Subscriber.objects.filter(lists=issue.newsletter_id, status=SubscriberStatus.CONFIRMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chunk: list[Delivery] = []
    for subscriber_id in recipients.iterator(chunk_size=PREPARE_CHUNK):
        chunk.append(Delivery(issue_id=issue_id, subscriber_id=subscriber_id))
        if len(chunk) >= PREPARE_CHUNK:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    total = Delivery.objects.filter(issue_id=issue_id).count()
    NewsletterIssue.objects.filter(pk=issue_id).update(total=total)
    if total == 0:
        _finish(issue_id, timezone.now())
    else:
        _enqueue_drains(issue_id, min(PARALLEL_TASKS, -(-total // BATCH_SIZE)))
    return total


# ---------------------------------------------------------------------------------------
# Draining: claim a batch, send it, repeat


@dataclass(slots=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    error: str = ""


def drain(issue_id: int) -> DrainReport:
    """Send batches of the issue until none is left to claim, or the server fails."""
    report = DrainReport()
    context: SendContext | None = None
    while True:
        issue = NewsletterIssue.objects.filter(pk=issue_id).first()
        if issue is None or issue.status != IssueStatus.SENDING:
            return report
        now = timezone.now()
        if issue.paused_until and issue.paused_until > now:
            return report  # the drains queued for after the pause take over
        claim = uuid.uuid4().hex
        if not _claim_batch(issue_id, claim, now):
            _finish_or_watch(issue, now)
            return report
        report.batches += 1
        context = context or SendContext.for_issue(issue)
        try:
            _send_batch(context, claim, report)
        except TransientFailure as failure:
            report.error = str(failure)
            _pause(issue_id, str(failure))
            return report


def _claim_batch(issue_id: int, claim: str, now: datetime) -> int:
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        # PostgreSQL skips rows another worker is claiming; SQLite serialises the block.
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(claimable, issue_id=issue_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return 0
        return Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING, claim=claim, lease_until=now + LEASE
        )


@dataclass(slots=True)
class SendContext:
    issue: NewsletterIssue
    from_email: str
    domain: str
    unsubscribe_base: str

    @classmethod
    def for_issue(cls, issue: NewsletterIssue) -> SendContext:
        from_email = settings.DEFAULT_FROM_EMAIL
        domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
        placeholder = "TOKEN"
        path = reverse("newsletters:unsubscribe", args=[placeholder])
        return cls(
            issue=issue,
            from_email=from_email,
            domain=domain,
            unsubscribe_base=settings.SITE_URL.rstrip("/") + path.replace(placeholder, "{}"),
        )

    def unsubscribe_url(self, subscriber_id: int) -> str:
        token = tokens.make_unsubscribe_token(subscriber_id, self.issue.newsletter_id)
        return self.unsubscribe_base.format(token)

    def message(self, subscriber_id: int, email: str) -> EmailMultiAlternatives:
        issue = self.issue
        url = self.unsubscribe_url(subscriber_id)
        text = issue.text_body.replace(composing.UNSUBSCRIBE_MARK, url)
        html = issue.html_body.replace(composing.UNSUBSCRIBE_MARK, url)
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=text,
            from_email=self.from_email,
            to=[email],
            headers={
                # The same id whenever this recipient's copy is built.
                "Message-ID": f"<newsletter.{issue.pk}.{subscriber_id}@{self.domain}>",
                "List-Id": f"<{issue.newsletter.slug}.newsletters.{self.domain}>",
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(html, "text/html")
        return message


def _send_batch(context: SendContext, claim: str, report: DrainReport) -> None:
    issue = context.issue
    rows = list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .order_by("pk")
        .values_list("pk", "subscriber_id", "subscriber__email", "subscriber__status")
    )
    on_list = set(
        Subscriber.lists.through.objects.filter(
            newsletter_id=issue.newsletter_id, subscriber_id__in=[row[1] for row in rows]
        ).values_list("subscriber_id", flat=True)
    )
    mailer = mailers.default
    two_phase = isinstance(mailer, SMTPBackend)
    lease_renewed = time.monotonic()
    try:
        mailer.open()
        for delivery_id, subscriber_id, email, status in rows:
            if time.monotonic() - lease_renewed > LEASE.total_seconds() / 4:
                _renew_lease(claim)
                lease_renewed = time.monotonic()
            if status != SubscriberStatus.CONFIRMED or subscriber_id not in on_list:
                _settle(delivery_id, claim, DeliveryStatus.SKIPPED)
                report.skipped += 1
                continue
            message = context.message(subscriber_id, email)
            try:
                if two_phase:
                    _send_two_phase(
                        mailer.connection,
                        message,
                        commit=lambda d=delivery_id: _settle(d, claim, DeliveryStatus.SENT),
                        undo=lambda d=delivery_id: _settle(d, claim, DeliveryStatus.SENDING),
                    )
                else:
                    mailer.send_messages([message])
                    _settle(delivery_id, claim, DeliveryStatus.SENT)
            except PermanentFailure as refusal:
                _settle(delivery_id, claim, DeliveryStatus.FAILED, error=str(refusal))
                report.failed += 1
            else:
                report.sent += 1
    except (smtplib.SMTPException, OSError, TransientFailure) as failure:
        _release(claim)
        raise TransientFailure(_describe(failure)) from failure
    finally:
        try:
            mailer.close()
        except (smtplib.SMTPException, OSError):
            pass


_EOL = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def _send_two_phase(
    smtp: smtplib.SMTP, message: EmailMultiAlternatives, *, commit: Callable, undo: Callable
) -> None:
    """Hand one message to the server, committing it as sent just before the final '.'.

    If the server answers the '.' with a refusal, `undo` takes the commit back (a permanent
    refusal is then recorded as failed, a temporary one is sent again later).
    """
    sender = parseaddr(message.from_email)[1]
    recipient = message.recipients()[0]
    data = message.message(policy=email.policy.SMTP).as_bytes()
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        _reset(smtp)
        raise TransientFailure(f"MAIL FROM {code} {reply!r}")
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        _reset(smtp)
        if code >= 500:
            raise PermanentFailure(f"RCPT TO {code} {reply.decode(errors='replace')}")
        raise TransientFailure(f"RCPT TO {code} {reply!r}")
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _reset(smtp)
        raise TransientFailure(f"DATA {code} {reply!r}")
    body = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", data))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body)
    commit()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code == 250:
        return
    undo()
    if code >= 500:
        raise PermanentFailure(f"DATA {code} {reply.decode(errors='replace')}")
    raise TransientFailure(f"DATA {code} {reply!r}")


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        pass


def _describe(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}"[:480]


def _settle(delivery_id: int, claim: str, status: str, *, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id, claim=claim).update(
        status=status,
        error=error[:480],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def _renew_lease(claim: str) -> None:
    Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING).update(
        lease_until=timezone.now() + LEASE
    )


def _release(claim: str) -> None:
    """Put back what this claim did not finish, for a later batch to send."""
    Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claim="", lease_until=None
    )


def _pause(issue_id: int, error: str) -> None:
    """Back off after a server failure; give up after MAX_RETRIES and say so."""
    now = timezone.now()
    logger.warning("newsletter issue %s: mail server failure: %s", issue_id, error)
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if issue.status != IssueStatus.SENDING:
            return
        if issue.paused_until and issue.paused_until > now:
            return  # another drain has already scheduled the retry
        issue.retries += 1
        issue.last_error = f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} {error}"
        if issue.retries > MAX_RETRIES:
            issue.deliveries.filter(CLAIMABLE).update(
                status=DeliveryStatus.FAILED, claim="", error=error[:480]
            )
            issue.status = IssueStatus.FAILED
            issue.finished_at = now
            issue.save(update_fields=["retries", "last_error", "status", "finished_at"])
            logger.error("newsletter issue %s stopped after %s retries", issue_id, MAX_RETRIES)
            return
        delay = min(timedelta(seconds=RETRY_SECONDS * 2 ** (issue.retries - 1)), MAX_RETRY_DELAY)
        issue.paused_until = now + delay
        issue.save(update_fields=["retries", "last_error", "paused_until"])
        resume_at = issue.paused_until
    transaction.on_commit(lambda: _enqueue_drains(issue_id, PARALLEL_TASKS, run_after=resume_at))


def _finish_or_watch(issue: NewsletterIssue, now: datetime) -> None:
    """Finish the issue, or, while other claims are open, check again when they run out."""
    live_claims = issue.deliveries.filter(status=DeliveryStatus.SENDING)
    latest = live_claims.aggregate(latest=Max("lease_until"))["latest"]
    if latest is None:
        if not issue.deliveries.filter(status=DeliveryStatus.PENDING).exists():
            _finish(issue.pk, now)
        return
    # A worker holding a claim may have died; one follow-up takes over its claim.
    check_at = latest + timedelta(seconds=1)
    queued = (
        NewsletterIssue.objects.filter(pk=issue.pk)
        .filter(Q(check_at__isnull=True) | Q(check_at__lt=check_at))
        .update(check_at=check_at)
    )
    if queued:
        _enqueue_drains(issue.pk, 1, run_after=check_at)


def _finish(issue_id: int, now: datetime) -> None:
    NewsletterIssue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).update(
        status=IssueStatus.SENT, finished_at=now
    )
