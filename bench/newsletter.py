"""One newsletter issue to 10,000 and to 100,000 confirmed subscribers, sent by two RQ
workers on Redis through a local SMTP sink: messages/s and the workers' peak memory.

    .venv/bin/python bench/newsletter.py [--sizes 10000,100000] [--workers 2] [--sinks 1]
    .venv/bin/python bench/newsletter.py --postgres      # PostgreSQL instead of SQLite
    .venv/bin/python bench/newsletter.py --fork          # RQ's forking worker (a horse per job)
    .venv/bin/python bench/newsletter.py --queue db      # the database queue and db_worker
    .venv/bin/python bench/newsletter.py --profile --sizes 10000   # cProfile of one drain

For each size: a temporary database (a SQLite file copied from one migrated template, or
with --postgres a database denshiban_bench_run created from the migrated denshiban_bench on
127.0.0.1:5432, both dropped at the end) is seeded with the subscribers and an issue of 8
articles. Redis database --redis-db (13 unless told; it is flushed) holds the queue. The
sink is aiosmtpd with a handler that only counts, in its own processes (--sinks, sharing
the port through SO_REUSEPORT) so it does not take the workers' CPU. The workers run
`manage.py rqworker --with-scheduler --job-class django_tasks_rq.Job` with production
settings and TASKS_BACKEND=rq; by default with rq.worker.SimpleWorker, which runs each job in
the worker process itself, so the process's high-water mark (VmHWM) is the memory the jobs
needed (with --fork the jobs run in forked horses, whose VmHWM is sampled while they live).

messages/s counts from the first delivery to the last (sent_at of the delivery rows); the
issue's own time from 送信する to sent is printed beside it. Target: 500 messages/s, and
the workers' peak memory flat as the list grows (ratio 100k/10k close to 1).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATE = 500.0
# Peak memory at 100k over peak memory at 10k; above this the memory is not flat.
FLAT_RATIO = 1.15
# Preparing 100,000 rows takes seconds; a minute with nothing sent means something broke.
STALL_SECONDS = 90
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_TEMPLATE = "denshiban_bench"
PG_RUN = "denshiban_bench_run"
ISSUE_TABLE = "newsletters_newsletterissue"
DELIVERY_TABLE = "newsletters_delivery"

SEED = """
import json, os
from django.db import transaction
from django.utils import timezone
from denshiban.newsletters import services
from denshiban.newsletters.models import NewsletterIssue, Subscriber, SubscriberStatus
from denshiban.newsroom.tests.factories import add_article, build_site

site = build_site()
for n in range(8):
    add_article(
        index=site["index"], section=site["section"], title=f"半導体投資、国内で加速 その{n + 1}",
        lead="大手各社が国内工場への投資を積み増す。政府の補助金も後押しし、"
        "2030年までに生産能力を倍増させる計画が相次いでいる。",
    )
morning = services.ensure_default_newsletters()[0]
count, now, through = int(os.environ["BENCH_SUBSCRIBERS"]), timezone.now(), Subscriber.lists.through
for start in range(0, count, 5000):
    with transaction.atomic():
        readers = Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n}@example.jp", status=SubscriberStatus.CONFIRMED,
                consent_text="同意します", consented_at=now, confirmed_at=now,
            )
            for n in range(start, min(count, start + 5000))
        )
        through.objects.bulk_create(
            through(subscriber_id=reader.pk, newsletter_id=morning.pk) for reader in readers
        )
issue = NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")
print(json.dumps({"issue": issue.pk}))
"""

SEND = """
import os
from denshiban.newsletters import sending
sending.request_send(int(os.environ["BENCH_ISSUE"]))
"""

# One process sends the whole issue under cProfile (tasks go to the database queue, which
# nothing runs, so the drain queued by prepare stays put).
PROFILE = """
import cProfile, os, pstats, time
from denshiban.newsletters import sending
issue_id = int(os.environ["BENCH_ISSUE"])
sending.request_send(issue_id)
sending.prepare(issue_id)
profiler = cProfile.Profile()
started = time.perf_counter()
profiler.enable()
report = sending.drain(issue_id)
profiler.disable()
elapsed = time.perf_counter() - started
rate = report.sent / elapsed
print(f"one process under cProfile: {report.sent} sent in {elapsed:.1f} s = {rate:.0f} messages/s")
stats = pstats.Stats(profiler)
stats.sort_stats("tottime").print_stats(25)
stats.sort_stats("cumulative").print_stats(40)
"""


@dataclass
class Run:
    size: int
    sent: int = 0
    failed: int = 0
    sink_received: int = 0
    rate: float = 0.0
    issue_seconds: float = 0.0
    worker_peak_mb: list[float] = field(default_factory=list)
    horse_peak_mb: float = 0.0
    worker_cpu: float = 0.0
    sink_cpu: float = 0.0

    @property
    def peak_mb(self) -> float:
        return max([*self.worker_peak_mb, self.horse_peak_mb])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="subscriber counts")
    parser.add_argument("--workers", type=int, default=2, help="RQ workers (default 2)")
    parser.add_argument("--sinks", type=int, default=1, help="SMTP sink processes (default 1)")
    parser.add_argument("--redis-db", type=int, default=13, help="flushed! (default 13)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1")
    parser.add_argument("--fork", action="store_true", help="RQ's forking worker")
    parser.add_argument(
        "--queue",
        choices=["rq", "db"],
        default="rq",
        help="rq: Redis and rqworker (default); db: the database queue and db_worker",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one drain instead")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    return args


def step(message: str) -> None:
    print(f"-- {message}", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the SMTP sink ---------------------------------------------------------------------


def sink_process(port: int, counter, ready) -> None:
    import asyncio

    from aiosmtpd.smtp import SMTP

    class Counting:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        handler = Counting()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.bench"),
            host="127.0.0.1",
            port=port,
            reuse_port=True,
        )
        ready.set()
        await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(serve())


@contextmanager
def smtp_sink(processes: int):
    port = free_port()
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    sinks = []
    for _ in range(processes):
        ready = context.Event()
        sink = context.Process(target=sink_process, args=(port, counter, ready), daemon=True)
        sink.start()
        if not ready.wait(20):
            sys.exit("the SMTP sink did not start")
        sinks.append(sink)
    try:
        yield port, counter, sinks
    finally:
        for sink in sinks:
            sink.terminate()
            sink.join(5)


# --- processes and their memory --------------------------------------------------------


def proc_status(pid: int, key: str) -> int:
    """A kB figure from /proc/<pid>/status (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except FileNotFoundError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of the children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class MemoryWatch:
    """Samples VmHWM of each worker and the largest of their children (RQ's horses)."""

    def __init__(self, workers: list[subprocess.Popen], scheduler_pids: set[int]) -> None:
        self.workers = workers
        self.worker_peak = {worker.pid: 0 for worker in workers}
        self.child_peak = 0
        self.scheduler_pids = scheduler_pids

    def sample(self) -> None:
        for worker in self.workers:
            self.worker_peak[worker.pid] = max(
                self.worker_peak[worker.pid], proc_status(worker.pid, "VmHWM")
            )
            for child in children(worker.pid):
                if child not in self.scheduler_pids:
                    self.child_peak = max(self.child_peak, proc_status(child, "VmHWM"))


# --- databases -------------------------------------------------------------------------


class Database:
    def __init__(self, tmp: Path, postgres: bool) -> None:
        self.tmp = tmp
        self.postgres = postgres
        self.template = tmp / "template.sqlite3"
        self.file = tmp / "run.sqlite3"

    def env(self, *, run: bool) -> dict[str, str]:
        if self.postgres:
            name = PG_RUN if run else PG_TEMPLATE
            return {"DATABASE_URL": PG_ADMIN_URL.rpartition("/")[0] + "/" + name}
        return {"SQLITE_PATH": str(self.file if run else self.template)}

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def create_template(self, env: dict[str, str]) -> None:
        if self.postgres:
            self.admin(
                f"DROP DATABASE IF EXISTS {PG_RUN}",
                f"DROP DATABASE IF EXISTS {PG_TEMPLATE}",
                f"CREATE DATABASE {PG_TEMPLATE}",
            )
        manage(env | self.env(run=False), "migrate", "--noinput")

    def fresh_run(self) -> None:
        if self.postgres:
            self.admin(
                f"DROP DATABASE IF EXISTS {PG_RUN}",
                f"CREATE DATABASE {PG_RUN} TEMPLATE {PG_TEMPLATE}",
            )
            return
        for path in self.tmp.glob("run.sqlite3*"):
            path.unlink()
        with closing(sqlite3.connect(self.template)) as source:
            with closing(sqlite3.connect(self.file)) as target:
                source.backup(target)

    def query(self, sql: str, params: list) -> tuple:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.env(run=True)["DATABASE_URL"]) as connection:
                return connection.execute(sql, params).fetchone()
        with closing(sqlite3.connect(self.file, timeout=30)) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchone()

    def drop(self) -> None:
        if self.postgres:
            self.admin(
                f"DROP DATABASE IF EXISTS {PG_RUN}", f"DROP DATABASE IF EXISTS {PG_TEMPLATE}"
            )


def as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# --- running ---------------------------------------------------------------------------


def manage(env: dict[str, str], *command: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        sys.exit(f"manage.py {' '.join(command[:2])} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def base_env(args: argparse.Namespace, smtp_port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TASKS_BACKEND", "SQLITE_PATH"}
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": "https://denshiban.example.jp",
    }


def redis_url(args: argparse.Namespace) -> str:
    return f"redis://127.0.0.1:6379/{args.redis_db}"


def flush_redis(args: argparse.Namespace):
    import redis

    client = redis.Redis.from_url(redis_url(args))
    try:
        client.flushdb()
    except redis.ConnectionError:
        sys.exit("Redis does not answer on 127.0.0.1:6379 (the RQ workers need it)")
    return client


def start_workers(args: argparse.Namespace, env: dict[str, str], logs: Path) -> list:
    if args.queue == "db":
        command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"]
    else:
        command = [
            sys.executable,
            "manage.py",
            "rqworker",
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.Job",
        ]
    if args.queue == "rq" and not args.fork:
        command += ["--worker-class", "rq.worker.SimpleWorker"]
    workers = []
    for n in range(args.workers):
        log = open(logs / f"worker{n}.log", "wb")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.close()
    return workers


def wait_for_workers(client, count: int, workers: list) -> set[int]:
    """Wait until every worker is listening; returns the pids of their scheduler children."""
    deadline = time.monotonic() + 120
    while client.scard("rq:workers") < count:
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            sys.exit("the RQ workers did not start (see the worker logs)")
        time.sleep(0.2)
    time.sleep(1.0)  # the scheduler child is forked just after registering
    return {child for worker in workers for child in children(worker.pid)}


def stop(workers: list) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def run_size(args: argparse.Namespace, database: Database, size: int, tmp: Path) -> Run:
    run = Run(size=size)
    database.fresh_run()
    with smtp_sink(args.sinks) as (port, counter, sinks):
        env = base_env(args, port) | database.env(run=True)
        step(f"{size:,} subscribers: seeding")
        seeded = manage(env | {"BENCH_SUBSCRIBERS": str(size)}, "shell", "-c", SEED)
        issue_id = json.loads(seeded.strip().splitlines()[-1])["issue"]
        env["BENCH_ISSUE"] = str(issue_id)
        if args.queue == "rq":
            env |= {"TASKS_BACKEND": "rq", "REDIS_URL": redis_url(args)}
            client = flush_redis(args)
        logs = tmp / f"logs-{size}"
        logs.mkdir()
        started = time.monotonic()
        if args.queue == "db":
            # db_worker says nothing when it is ready: the issue's time includes its start.
            manage(env, "shell", "-c", SEND)
        workers = start_workers(args, env, logs)
        try:
            schedulers = set()
            if args.queue == "rq":
                schedulers = wait_for_workers(client, args.workers, workers)
            watch = MemoryWatch(workers, schedulers)
            # CPU spent starting up (imports) is not the sending's.
            startup_cpu = sum(cpu_seconds(worker.pid) for worker in workers)
            step(f"{size:,} subscribers: sending with {args.workers} workers")
            if args.queue == "rq":
                started = time.monotonic()
                manage(env, "shell", "-c", SEND)
            status, last_check, last_count, last_change = "sending", 0.0, -1, time.monotonic()
            while status == "sending":
                watch.sample()
                time.sleep(0.1)
                if time.monotonic() - last_check > 1:
                    last_check = time.monotonic()
                    (status,) = database.query(
                        f"SELECT status FROM {ISSUE_TABLE} WHERE id = %s",  # noqa: S608
                        [issue_id],
                    )
                    print(f"   {counter.value:>7,} received", end="\r", flush=True)
                if counter.value != last_count:
                    last_count, last_change = counter.value, time.monotonic()
                elif time.monotonic() - last_change > STALL_SECONDS:
                    tails = "\n".join(path.read_text()[-3000:] for path in logs.glob("*.log"))
                    sys.exit(f"nothing sent for {STALL_SECONDS} s; the workers said:\n{tails}")
            run.issue_seconds = time.monotonic() - started
            watch.sample()
            run.worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - startup_cpu
            run.sink_cpu = sum(cpu_seconds(sink.pid) for sink in sinks)
        finally:
            stop(workers)
        run.sink_received = counter.value
    run.worker_peak_mb = [kb / 1024 for kb in watch.worker_peak.values()]
    run.horse_peak_mb = watch.child_peak / 1024
    first, last, sent = database.query(
        f"SELECT MIN(sent_at), MAX(sent_at), COUNT(*) FROM {DELIVERY_TABLE} "  # noqa: S608
        "WHERE issue_id = %s AND status = 'sent'",
        [issue_id],
    )
    (run.failed,) = database.query(
        f"SELECT COUNT(*) FROM {DELIVERY_TABLE} WHERE issue_id = %s AND status <> 'sent'",  # noqa: S608
        [issue_id],
    )
    run.sent = sent
    seconds = (as_datetime(last) - as_datetime(first)).total_seconds() if sent > 1 else 0
    run.rate = sent / seconds if seconds else 0.0
    return run


def profile(args: argparse.Namespace, database: Database, size: int) -> None:
    database.fresh_run()
    with smtp_sink(args.sinks) as (port, _counter, _sinks):
        env = base_env(args, port) | database.env(run=True)
        step(f"{size:,} subscribers: seeding")
        seeded = manage(env | {"BENCH_SUBSCRIBERS": str(size)}, "shell", "-c", SEED)
        env["BENCH_ISSUE"] = str(json.loads(seeded.strip().splitlines()[-1])["issue"])
        step("one drain under cProfile")
        print(manage(env, "shell", "-c", PROFILE))


def report(args: argparse.Namespace, runs: list[Run]) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    if args.queue == "db":
        workers = "db_worker processes (the database queue)"
    else:
        kind = "forking Worker (peak of the horses)" if args.fork else "SimpleWorker"
        workers = f"RQ workers ({kind})"
    load = os.getloadavg()[0]
    print(
        f"\n{args.workers} {workers}, {args.sinks} sink process(es), {database},"
        f" {os.cpu_count()} CPUs (load average now {load:.1f})"
    )
    print(
        f"{'subscribers':>11} {'sent':>8} {'failed':>6} {'sink':>8} {'msg/s':>7}"
        f" {'issue s':>8} {'peak MB (per worker)':>22} {'horse MB':>9}"
        f" {'worker CPU ms/msg':>18} {'sink CPU ms/msg':>16}"
    )
    for run in runs:
        per_worker = " / ".join(f"{mb:.0f}" for mb in run.worker_peak_mb)
        horses = f"{run.horse_peak_mb:.0f}" if args.fork else "-"
        sent = max(run.sent, 1)
        print(
            f"{run.size:>11,} {run.sent:>8,} {run.failed:>6,} {run.sink_received:>8,}"
            f" {run.rate:>7.0f} {run.issue_seconds:>8.1f} {per_worker:>22} {horses:>9}"
            f" {1000 * run.worker_cpu / sent:>18.2f} {1000 * run.sink_cpu / sent:>16.2f}"
        )
    print()
    for run in runs:
        verdict = "meets" if run.rate >= TARGET_RATE else "BELOW"
        print(
            f"{run.size:>9,}: {run.rate:.0f} messages/s = {run.rate / TARGET_RATE:.2f}x the"
            f" target {TARGET_RATE:.0f} ({verdict})"
        )
    if len(runs) > 1:
        small, large = runs[0], runs[-1]
        ratio = large.peak_mb / small.peak_mb if small.peak_mb else 0.0
        verdict = "flat" if ratio <= FLAT_RATIO else "NOT flat"
        print(
            f"peak memory {large.size:,} / {small.size:,}: {large.peak_mb:.0f} / "
            f"{small.peak_mb:.0f} MB = {ratio:.2f} ({verdict}; flat means <= {FLAT_RATIO})"
        )
    lost = [run for run in runs if run.sink_received != run.sent or run.failed]
    for run in lost:
        print(
            f"!! {run.size:,}: {run.sent:,} recorded sent, {run.sink_received:,} received,"
            f" {run.failed:,} not sent"
        )


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="denshiban-newsletter-bench-"))
    database = Database(tmp, args.postgres)
    try:
        step("migrating the template database")
        database.create_template(base_env(args, 25))
        if args.profile:
            for size in args.sizes:
                profile(args, database, size)
            return
        runs = [run_size(args, database, size, tmp) for size in args.sizes]
        report(args, runs)
    finally:
        database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
