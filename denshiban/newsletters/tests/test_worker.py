"""Issues sent by real worker processes through a real SMTP server: `manage.py db_worker`
(including one killed with SIGKILL in the middle of an issue) and `manage.py rqworker` on
Redis, as production runs them.

The workers are subprocesses on the same database as the test: a file copy of the in-memory
SQLite test database (copied back afterwards for the assertions), or the PostgreSQL test
database itself. The RQ test needs Redis on 127.0.0.1:6379 and takes an empty database
among 2–12 for the run (skipped without Redis, failed with DENSHIBAN_REQUIRE_REDIS=1).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from denshiban.access.tests.factories import build_site_after_flush
from denshiban.core.testing.smtp import SMTPServer
from denshiban.newsletters import sending, services
from denshiban.newsletters.models import (
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RECIPIENTS = 300
LEASE_SECONDS = 2
STALLED_SECONDS = LEASE_SECONDS + 8
DB_WORKER = ("db_worker", "--no-reload", "--interval", "0.1")
# As production runs it (docs/operations.md), RQ's default forking worker included.
RQ_WORKER = ("rqworker", "--with-scheduler", "--job-class", "django_tasks_rq.Job")
REDIS_LOCK = "denshiban:test-worker:lock"
ISSUE_TABLE = NewsletterIssue._meta.db_table


class SharedDatabase:
    """The test database as worker processes see it."""

    def __init__(self, tmp_path: Path) -> None:
        self.file: Path | None = None
        self.shared = False
        if connection.vendor == "sqlite":
            self.file = tmp_path / "workers.sqlite3"
            self.env = {"SQLITE_PATH": str(self.file)}
        else:
            db = connection.settings_dict
            credentials = quote(db["USER"] or "", safe="")
            if db["PASSWORD"]:
                credentials += ":" + quote(db["PASSWORD"], safe="")
            host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            self.env = {"DATABASE_URL": f"postgres://{credentials}@{host}/{db['NAME']}"}

    def share(self) -> None:
        """Copy the in-memory database to the file, once, before a process first uses it."""
        if self.file is not None and not self.shared:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(self.file)])
        self.shared = True

    def value(self, sql: str, params: list[Any]) -> Any:
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()[0]
        with closing(sqlite3.connect(self.file, timeout=10)) as copy:
            return copy.execute(sql.replace("%s", "?"), params).fetchone()[0]

    def take_back(self) -> None:
        """Make what the workers wrote visible to this test's connection (and the ORM)."""
        if self.file is None:
            return
        connection.ensure_connection()
        with closing(sqlite3.connect(self.file)) as copy:
            copy.backup(connection.connection)


class Processes:
    """manage.py commands against the shared database; workers live in their own process
    group so a kill takes the whole worker down, as a crashed machine would."""

    def __init__(self, database: SharedDatabase, smtp: SMTPServer, log_dir: Path) -> None:
        self.database = database
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "TASKS_BACKEND", "SQLITE_PATH"}
        }
        self.env |= database.env | {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "NEWSLETTER_LEASE_SECONDS": str(LEASE_SECONDS),
            "NEWSLETTER_BATCH_SIZE": "50",
        }
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen] = []

    def start_worker(self, command: tuple[str, ...] = DB_WORKER) -> subprocess.Popen:
        self.database.share()
        log = open(self.log_dir / f"worker{len(self.workers)}.log", "wb")  # noqa: SIM115
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def tick(self) -> None:
        self.manage("newsletter_tick")

    def manage(self, *command: str) -> None:
        self.database.share()
        done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode()

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                self.kill(worker)

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("*.log")))


@pytest.fixture
def site(transactional_db):
    """The reader site, rebuilt when an earlier transactional test's flush removed the root."""
    return build_site_after_flush()


@pytest.fixture
def unsent_issue(site, article):
    """A draft issue for RECIPIENTS confirmed readers."""
    morning = services.ensure_default_newsletters()[0]
    now = timezone.now()
    readers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.jp",
            status=SubscriberStatus.CONFIRMED,
            consent_text="同意",
            consented_at=now,
            confirmed_at=now,
        )
        for n in range(RECIPIENTS)
    )
    morning.subscribers.add(*readers)
    return NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")


@pytest.fixture
def issue(settings, unsent_issue, django_capture_on_commit_callbacks):
    """The issue started, its preparation queued in the database for a db_worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        sending.request_send(unsent_issue.pk)
    return unsent_issue


@pytest.fixture
def redis_url():
    """An empty Redis database of this run's own, locked while in use and emptied after."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("DENSHIBAN_REQUIRE_REDIS", "").strip() == "1":
            pytest.fail("DENSHIBAN_REQUIRE_REDIS=1 but Redis does not answer on 127.0.0.1:6379")
        pytest.skip("needs Redis on 127.0.0.1:6379")
    for number in range(2, 13):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.dbsize() == 0 and client.set(REDIS_LOCK, "1", nx=True, ex=600):
            try:
                yield f"redis://127.0.0.1:6379/{number}"
            finally:
                client.flushdb()
            return
    pytest.skip("no empty Redis database among 2-12")


@pytest.fixture
def running(tmp_path, unsent_issue):
    """(shared database, SMTP server, processes); every worker is killed at the end."""
    database = SharedDatabase(tmp_path)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    with SMTPServer() as smtp:
        processes = Processes(database, smtp, log_dir)
        try:
            yield database, smtp, processes
        finally:
            processes.stop_all()


def issue_status(database: SharedDatabase, issue: NewsletterIssue) -> str:
    return database.value(f"SELECT status FROM {ISSUE_TABLE} WHERE id = %s", [issue.pk])  # noqa: S608


def queued_tasks(database: SharedDatabase) -> int:
    return database.value(
        f"SELECT COUNT(*) FROM {DBTaskResult._meta.db_table} WHERE status = %s",  # noqa: S608
        ["READY"],
    )


def wait_until(condition, *, timeout: float, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s\n{processes.logs()}")
        time.sleep(0.05)


def received_per_recipient(smtp: SMTPServer) -> Counter[str]:
    """Every message the server completed, counted per recipient (a duplicate shows as 2)."""
    return Counter(message["To"] for message in smtp.messages)


def assert_everyone_received_exactly_one(smtp: SMTPServer, issue: NewsletterIssue) -> None:
    received = received_per_recipient(smtp)
    duplicates = {to: n for to, n in received.items() if n > 1}
    missed = {f"reader{n}@example.jp" for n in range(RECIPIENTS)} - set(received)
    assert (duplicates, missed) == ({}, set())
    assert len(smtp.messages) == RECIPIENTS
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert set(issue.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    progress = sending.progress(issue)
    assert (progress.total, progress.sent, progress.done) == (RECIPIENTS,) * 3


def test_two_real_workers_send_an_issue_to_every_subscriber_once(running, issue):
    database, smtp, processes = running
    processes.start_worker()
    processes.start_worker()

    wait_until(
        lambda: issue_status(database, issue) == IssueStatus.SENT,
        timeout=60,
        what=f"issue sent to {RECIPIENTS}",
        processes=processes,
    )
    processes.stop_all()
    database.take_back()

    assert_everyone_received_exactly_one(smtp, issue)
    first = smtp.messages[0]
    assert first["Subject"] == "けさの主なニュース"
    assert first["List-Unsubscribe"].startswith("<http")


@pytest.mark.parametrize(
    ("kill_at", "drains"),
    [(RECIPIENTS // 3, 4), (RECIPIENTS * 2 // 3, 1)],
    ids=["other-drains-queued", "only-cron-left"],
)
def test_a_worker_killed_mid_issue_leaves_no_duplicate_and_no_one_missed(
    running, issue, kill_at, drains
):
    """SIGKILL to the worker's whole process group part-way through, then a new worker.

    With four drains queued the new worker takes over through the ones the dead worker
    never started; with one, nothing is left in the queue and cron's newsletter_tick, once
    the dead worker's lease has run out, is what queues the rest.
    """
    database, smtp, processes = running
    processes.env["NEWSLETTER_PARALLEL_TASKS"] = str(drains)
    first = processes.start_worker()
    wait_until(
        lambda: len(smtp.messages) >= kill_at,
        timeout=60,
        what=f"{kill_at} messages before the kill",
        processes=processes,
    )
    processes.kill(first)
    assert len(smtp.messages) < RECIPIENTS, "the worker finished before it could be killed"
    if drains == 1:
        assert queued_tasks(database) == 0
        time.sleep(LEASE_SECONDS + 0.5)
        processes.tick()
        assert queued_tasks(database) == 1

    processes.start_worker()
    # Should the takeover stall, cron's newsletter_tick is run as it would be every minute.
    deadline = time.monotonic() + 90
    last_count, last_change = -1, time.monotonic()
    while issue_status(database, issue) != IssueStatus.SENT:
        assert time.monotonic() < deadline, processes.logs()
        if len(smtp.messages) != last_count:
            last_count, last_change = len(smtp.messages), time.monotonic()
        elif time.monotonic() - last_change > STALLED_SECONDS:
            processes.tick()
            last_change = time.monotonic()
        time.sleep(0.1)
    processes.stop_all()
    database.take_back()

    assert_everyone_received_exactly_one(smtp, issue)


def test_rq_workers_send_an_issue_queued_on_redis(running, unsent_issue, redis_url):
    database, smtp, processes = running
    processes.env |= {"TASKS_BACKEND": "rq", "REDIS_URL": redis_url}
    processes.start_worker(RQ_WORKER)
    processes.start_worker(RQ_WORKER)

    processes.manage(
        "shell",
        "-c",
        f"from denshiban.newsletters import sending; sending.request_send({unsent_issue.pk})",
    )

    wait_until(
        lambda: issue_status(database, unsent_issue) == IssueStatus.SENT,
        timeout=60,
        what=f"issue sent to {RECIPIENTS} by RQ workers",
        processes=processes,
    )
    processes.stop_all()
    database.take_back()
    assert_everyone_received_exactly_one(smtp, unsent_issue)


def test_a_real_worker_runs_the_tick_that_starts_a_due_scheduled_issue(running, unsent_issue):
    """newsletter_tick as a queued task: a worker runs it, it starts the issue that is due,
    and the same worker then prepares and sends it."""
    database, smtp, processes = running
    sending.request_send(unsent_issue.pk, send_at=timezone.now() + timedelta(minutes=5))
    NewsletterIssue.objects.filter(pk=unsent_issue.pk).update(
        send_at=timezone.now() - timedelta(seconds=1)
    )
    processes.manage("newsletter_tick", "--enqueue")
    assert issue_status(database, unsent_issue) == IssueStatus.SCHEDULED
    processes.start_worker()

    wait_until(
        lambda: issue_status(database, unsent_issue) == IssueStatus.SENT,
        timeout=60,
        what="scheduled issue started by the queued tick and sent",
        processes=processes,
    )
    processes.stop_all()
    database.take_back()
    assert_everyone_received_exactly_one(smtp, unsent_issue)
