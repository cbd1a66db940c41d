"""Sending an issue: one delivery row per recipient, claimed in batches by background tasks.

Exactly once, also when a worker process dies mid-send:

- Every recipient gets a delivery row before anything is sent; `issue.total` is written
  only once all rows exist, so a preparation cut short is run again, never sent half-done.
- A batch is claimed before anything leaves: its deliveries become SENDING with a claim
  token and a lease, renewed while the worker sends. A claim whose lease has run out
  belongs to a worker that died (or hung) and is taken again by the next batch.
- Over SMTP each message is handed over in two steps: the envelope and the whole message
  except the final "." go to the server, then the delivery is committed as SENT (only if
  the row is still this worker's claim), then the "." is written. Killed before the commit,
  the worker leaves a message the server never completes (it discards it) and a delivery
  still claimed, sent again later; killed after the commit, the "." is a single write away.
  A worker whose claim was taken over meanwhile finds its commit refused and drops the
  connection without the ".", so two live workers never both deliver. The one gap left is
  the few microseconds between the commit returning and the "." being written: a kill
  exactly there loses that one message (it is recorded as sent). No ordering closes it;
  the other order would turn it into a duplicate.
- A failure of the server (connection refused or lost, 4xx) puts the batch back, pauses
  the issue with a growing delay and records the error for the admin; after MAX_RETRIES
  failures with nothing delivered in between the issue stops as failed with every unsent
  recipient marked. A permanent refusal of one address (5xx) marks that delivery failed
  and the issue goes on; a temporary refusal of one address pauses like a server failure
  (a relay that throttles answers 4xx to every address), and after MAX_REFUSALS of them
  that one delivery fails so it cannot hold the issue up.
"""

from __future__ import annotations

import functools
import logging
import re
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import composing
from .composing import IssueMail
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

MAX_RETRY_DELAY = timedelta(minutes=30)
# Temporary refusals of one address before its delivery is given up.
MAX_REFUSALS = 3
PREPARE_CHUNK = 2000

CLAIMABLE = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING)


@dataclass(frozen=True, slots=True)
class Tuning:
    """The NEWSLETTER_* settings, read when used so a deployment (or a test) can set them."""

    batch_size: int
    parallel_tasks: int
    lease: timedelta
    retry_seconds: float
    max_retries: int
    drain_seconds: float

    @classmethod
    def current(cls) -> Tuning:
        return cls(
            batch_size=settings.NEWSLETTER_BATCH_SIZE,
            parallel_tasks=settings.NEWSLETTER_PARALLEL_TASKS,
            lease=timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS),
            retry_seconds=settings.NEWSLETTER_RETRY_SECONDS,
            max_retries=settings.NEWSLETTER_MAX_RETRIES,
            drain_seconds=settings.NEWSLETTER_DRAIN_SECONDS,
        )


class IssueStateError(Exception):
    """The issue cannot do what was asked in its present state; the message says why."""


class TransientFailure(Exception):
    """The mail server cannot take mail now; the batch is put back and retried later."""


class RecipientDeferred(TransientFailure):
    """The server refused this address for now (4xx); counted against the delivery."""


class PermanentFailure(Exception):
    """The server refused this one message or address; retrying would not help."""


class LostClaim(Exception):
    """Another worker took this batch over (its lease ran out); stop sending it."""


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
    """Queue work for sending issues nobody is working on (a worker died or was restarted).

    The task queue forgets a task whose worker was killed, so this (run by cron through
    newsletter_tick) is what finally picks such an issue up.
    """
    now = now or timezone.now()
    tuning = Tuning.current()
    resumed = 0
    for issue in NewsletterIssue.objects.filter(status=IssueStatus.SENDING):
        if issue.paused_until and issue.paused_until > now:
            continue
        if not issue.total:
            # Preparation never finished; given a lease's time in case it is still running.
            if issue.started_at is None or issue.started_at < now - tuning.lease:
                _enqueue_prepare(issue.pk)
                resumed += 1
            continue
        deliveries = issue.deliveries
        if deliveries.filter(status=DeliveryStatus.SENDING, lease_until__gt=now).exists():
            continue  # a worker holds a live claim: it is working
        if deliveries.filter(CLAIMABLE).exists():
            resumed += _enqueue_drains(issue.pk, tuning.parallel_tasks) and 1
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
    # Page by key rather than stream: on SQLite a read left open while this connection writes
    # fails ("database is locked") as soon as another worker has written in between.
    last = 0
    while chunk := list(recipients.filter(pk__gt=last)[:PREPARE_CHUNK]):
        Delivery.objects.bulk_create(
            (Delivery(issue_id=issue_id, subscriber_id=pk) for pk in chunk),
            ignore_conflicts=True,
        )
        last = chunk[-1]
    # Written last: a total of 0 on a sending issue means "not prepared yet".
    total = Delivery.objects.filter(issue_id=issue_id).count()
    NewsletterIssue.objects.filter(pk=issue_id).update(total=total)
    if total == 0:
        _finish(issue_id, timezone.now())
    else:
        tuning = Tuning.current()
        _enqueue_drains(issue_id, min(tuning.parallel_tasks, -(-total // tuning.batch_size)))
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
    """Send batches of the issue until none is left to claim, or the server fails.

    After NEWSLETTER_DRAIN_SECONDS the task hands over to a fresh one queued behind the
    rest, so a long issue neither outlives the queue's job timeout nor keeps other
    background work (publishing) waiting.
    """
    tuning = Tuning.current()
    report = DrainReport()
    mail: IssueMail | None = None
    started = time.monotonic()
    while True:
        if report.batches and time.monotonic() - started > tuning.drain_seconds:
            _enqueue_drains(issue_id, 1)
            return report
        issue = NewsletterIssue.objects.select_related("newsletter").filter(pk=issue_id).first()
        if issue is None or issue.status != IssueStatus.SENDING:
            return report
        now = timezone.now()
        if issue.paused_until and issue.paused_until > now:
            return report  # the drains queued for after the pause take over
        claim = uuid.uuid4().hex
        if not _claim_batch(issue_id, claim, now, tuning):
            _finish_or_watch(issue, now)
            return report
        report.batches += 1
        mail = mail or IssueMail.for_issue(issue)
        try:
            _send_batch(mail, claim, report, tuning)
        except TransientFailure as failure:
            report.error = str(failure)
            _pause(issue_id, str(failure), tuning)
            return report


def _claim_batch(issue_id: int, claim: str, now: datetime, tuning: Tuning) -> int:
    """Claim dead workers' rows first, then pending ones.

    Two queries, each a range of the (issue, status) index; one query with both conditions
    walked the issue's rows from the first, sent ones included: slower with every batch.
    """
    rows = Delivery.objects.select_for_update(skip_locked=True).filter(issue_id=issue_id)
    with transaction.atomic():
        # PostgreSQL skips rows another worker is claiming; SQLite serialises the block.
        ids = list(
            rows.filter(status=DeliveryStatus.SENDING, lease_until__lt=now)
            .order_by("pk")
            .values_list("pk", flat=True)[: tuning.batch_size]
        )
        if len(ids) < tuning.batch_size:
            ids += list(
                rows.filter(status=DeliveryStatus.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)[: tuning.batch_size - len(ids)]
            )
        if not ids:
            return 0
        return Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING, claim=claim, lease_until=now + tuning.lease
        )


def _send_batch(mail: IssueMail, claim: str, report: DrainReport, tuning: Tuning) -> None:
    rows = list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .order_by("pk")
        .values_list("pk", "subscriber_id", "subscriber__email", "subscriber__status")
    )
    on_list = set(
        Subscriber.lists.through.objects.filter(
            newsletter_id=mail.newsletter_id, subscriber_id__in=[row[1] for row in rows]
        ).values_list("subscriber_id", flat=True)
    )
    mailer = mailers.default
    sender = mailer.prep_address(mail.from_email) if isinstance(mailer, SMTPBackend) else ""
    renew_every = tuning.lease.total_seconds() / 4
    renewed = time.monotonic()
    try:
        mailer.open()
        _no_delay(mailer)
        for delivery_id, subscriber_id, address, status in rows:
            if time.monotonic() - renewed > renew_every:
                _renew_lease(claim, tuning)
                renewed = time.monotonic()
            if status != SubscriberStatus.CONFIRMED or subscriber_id not in on_list:
                _settle(delivery_id, claim, DeliveryStatus.SKIPPED)
                report.skipped += 1
                continue
            try:
                _send_one(mailer, sender, mail, claim, delivery_id, subscriber_id, address)
            except RecipientDeferred as deferral:
                if not _count_refusal(delivery_id, claim, str(deferral)):
                    raise
                report.failed += 1
            except PermanentFailure as refusal:
                _settle(delivery_id, claim, DeliveryStatus.FAILED, error=str(refusal))
                report.failed += 1
            else:
                report.sent += 1
    except LostClaim:
        logger.warning("newsletter batch %s was taken over by another worker", claim)
        _release(claim)
    except (smtplib.SMTPException, OSError, TransientFailure) as failure:
        _release(claim)
        if isinstance(failure, TransientFailure):
            raise
        raise TransientFailure(_describe(failure)) from failure
    finally:
        try:
            mailer.close()
        except (smtplib.SMTPException, OSError):
            pass


def _send_one(
    mailer: BaseEmailBackend,
    sender: str,
    mail: IssueMail,
    claim: str,
    delivery_id: int,
    subscriber_id: int,
    address: str,
) -> None:
    if not isinstance(mailer, SMTPBackend):
        # File and test mailers: no wire to split, the message is recorded once it is out.
        mailer.send_messages([mail.message(subscriber_id, address)])
        _settle(delivery_id, claim, DeliveryStatus.SENT)
        return
    try:
        recipient = _smtp_address(mailer, address)
    except ValueError as invalid:
        raise PermanentFailure(f"invalid address: {invalid}") from invalid
    _hand_over(
        mailer.connection,
        sender=sender,
        recipient=recipient,
        data=mail.wire_bytes(subscriber_id, recipient),
        commit=lambda: _commit_sent(delivery_id, claim),
        undo=lambda: _unsettle(delivery_id, claim),
    )


# A plain ASCII addr-spec needs none of prep_address's parsing (IDNA, display names),
# which costs more than the rest of building the message.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _smtp_address(mailer: SMTPBackend, address: str) -> str:
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return mailer.prep_address(address)


def _hand_over(
    smtp: smtplib.SMTP,
    *,
    sender: str,
    recipient: str,
    data: bytes,
    commit: Callable[[], bool],
    undo: Callable[[], bool],
) -> None:
    """Hand one message to the server, committing it as sent just before the final '.'.

    `data` has CRLF line ends and no line starting with '.'. If the server answers the
    '.' with a refusal, `undo` takes the commit back (a permanent refusal is then recorded
    as failed, a temporary one is sent again later).
    """
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        _reset(smtp)
        raise TransientFailure(f"MAIL FROM {code} {_text(reply)}")
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        _reset(smtp)
        if code >= 500:
            raise PermanentFailure(f"RCPT TO {code} {_text(reply)}")
        raise RecipientDeferred(f"RCPT TO {code} {_text(reply)}")
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _reset(smtp)
        raise TransientFailure(f"DATA {code} {_text(reply)}")
    try:
        smtp.send(data)
        committed = commit()
    except BaseException:
        smtp.close()  # without the '.', the server discards what it received
        raise
    if not committed:
        smtp.close()
        raise LostClaim
    try:
        smtp.sock.sendall(b".\r\n")
    except OSError as failure:
        smtp.close()
        undo()
        raise TransientFailure(_describe(failure)) from failure
    # Lost from here on, the answer leaves the message as sent: the server has the '.'.
    code, reply = smtp.getreply()
    if code == 250:
        return
    undo()
    if code >= 500:
        raise PermanentFailure(f"DATA {code} {_text(reply)}")
    raise RecipientDeferred(f"DATA {code} {_text(reply)}")


def _no_delay(mailer: BaseEmailBackend) -> None:
    """Send small writes at once: the lone "." after the message would otherwise wait for
    the server's delayed acknowledgement of the message (Nagle), some 40 ms each time."""
    sock = getattr(getattr(mailer, "connection", None), "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        pass


def _text(reply: bytes) -> str:
    return reply.decode(errors="replace")


def _describe(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}"[:480]


def _settle(delivery_id: int, claim: str, status: str, *, error: str = "") -> bool:
    """Record what became of a delivery, if it is still this claim's; False when it is not."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, claim=claim, status=DeliveryStatus.SENDING).update(
            status=status,
            error=error[:480],
            sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        )
    )


@functools.cache
def _commit_sent_sql() -> str:
    """UPDATE for the commit before the final '.', the one statement run per message:
    written once instead of built by the ORM every time (a third of a worker's CPU)."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    column = {
        field.name: connection.ops.quote_name(field.column) for field in Delivery._meta.fields
    }
    return (
        f"UPDATE {table} SET {column['status']} = %s, {column['error']} = '',"  # noqa: S608
        f" {column['sent_at']} = %s WHERE {column['id']} = %s AND {column['claim']} = %s"
        f" AND {column['status']} = %s"
    )


def _commit_sent(delivery_id: int, claim: str) -> bool:
    """_settle(…, SENT) for the hot path; False when the row is no longer this claim's."""
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _commit_sent_sql(),
            [DeliveryStatus.SENT, sent_at, delivery_id, claim, DeliveryStatus.SENDING],
        )
        return cursor.rowcount == 1


def _unsettle(delivery_id: int, claim: str) -> bool:
    """Take back a SENT the server then refused; the caller records what it became."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, claim=claim, status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.SENDING, sent_at=None
        )
    )


def _count_refusal(delivery_id: int, claim: str, error: str) -> bool:
    """Count a temporary refusal; True when it was the last one allowed (now failed)."""
    Delivery.objects.filter(pk=delivery_id, claim=claim).update(
        attempts=F("attempts") + 1, error=error[:480]
    )
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, claim=claim, status=DeliveryStatus.SENDING, attempts__gte=MAX_REFUSALS
        ).update(status=DeliveryStatus.FAILED)
    )


def _renew_lease(claim: str, tuning: Tuning) -> None:
    Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING).update(
        lease_until=timezone.now() + tuning.lease
    )


def _release(claim: str) -> None:
    """Put back what this claim did not finish, for a later batch to send."""
    Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claim="", lease_until=None
    )


def _pause(issue_id: int, error: str, tuning: Tuning) -> None:
    """Back off after a server failure; give up after MAX_RETRIES in a row and say so."""
    now = timezone.now()
    logger.warning("newsletter issue %s: mail server failure: %s", issue_id, error)
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if issue.status != IssueStatus.SENDING:
            return
        if issue.paused_until and issue.paused_until > now:
            return  # another drain has already scheduled the retry
        # Failures count in a row: mail delivered since the last pause starts afresh, so a
        # long send through a server that hiccups now and then is not given up.
        delivered_since = issue.paused_until is not None and (
            issue.deliveries.filter(
                status=DeliveryStatus.SENT, sent_at__gte=issue.paused_until
            ).exists()
        )
        issue.retries = 1 if delivered_since else issue.retries + 1
        issue.last_error = f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} {error}"
        if issue.retries > tuning.max_retries:
            issue.deliveries.filter(CLAIMABLE).update(
                status=DeliveryStatus.FAILED, claim="", error=error[:480]
            )
            issue.status = IssueStatus.FAILED
            issue.finished_at = now
            issue.save(update_fields=["retries", "last_error", "status", "finished_at"])
            logger.error(
                "newsletter issue %s stopped after %s retries", issue_id, tuning.max_retries
            )
            return
        delay = min(
            timedelta(seconds=tuning.retry_seconds * 2 ** (issue.retries - 1)), MAX_RETRY_DELAY
        )
        issue.paused_until = now + delay
        issue.save(update_fields=["retries", "last_error", "paused_until"])
        resume_at = issue.paused_until
    transaction.on_commit(
        lambda: _enqueue_drains(issue_id, tuning.parallel_tasks, run_after=resume_at)
    )


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
