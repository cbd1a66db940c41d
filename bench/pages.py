"""Reader pages under a production app server: home, a section and a paid article as a guest.

    .venv/bin/python bench/pages.py [--seconds 20] [--connections 32] [--server granian]

Seeds the demo paper into a temporary SQLite file, collects static files into a temporary
directory, starts the app with production settings (DEBUG off, no page cache) on 127.0.0.1,
and drives each page with wrk from a separate process. Prints requests/s, p50, p99 and errors
per page, and the ratio against Ghost 6's post page measured on a machine like this one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

GHOST_RPS = 87.0
GHOST_P50_MS = 352.0
TARGET_FACTOR = 3

# Production settings with one change: static files are collected into the run's temp dir.
SETTINGS_MODULE = "bench_settings"
SETTINGS_TEMPLATE = (
    "from config.settings.production import *  # noqa: F403\n\nSTATIC_ROOT = {static_root!r}\n"
)

# The pages to drive, found in the seeded database: the first section, and the paid article
# with the most photos (the heaviest page a guest gets, lead and paywall only).
PICK_PAGES = """
import json
from django.db.models import Count
from denshiban.newsroom.models import AccessLevel, ArticlePage, SectionPage
section = SectionPage.objects.live().order_by("position", "title").first()
article = (
    ArticlePage.objects.live().filter(access_level=AccessLevel.PAID)
    .annotate(photo_count=Count("photos")).order_by("-photo_count", "-first_published_at").first()
)
print(json.dumps({"section": section.public_path, "article": article.public_path}))
"""

# The element that holds an article's text after the lead (access.reading.PAID_PART_CLASS);
# a guest's page of a paid article must not contain it.
PAID_PART_CLASS = "article-paid-part"

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Result:
    name: str
    path: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    loadgen_cpu: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="duration per page (default 20)")
    parser.add_argument("--connections", type=int, default=32, help="concurrency (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="app server workers (default 2)")
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=1,
        help="granian's Python threads per worker (default 1: rendering is CPU-bound)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="seed and serve this database instead of a temporary SQLite file (it is seeded!)",
    )
    parser.add_argument("--redis-url", default="", help="cache in this Redis (default: none)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        PYTHONPATH=os.pathsep.join(
            path for path in (str(tmp), str(ROOT), os.environ.get("PYTHONPATH", "")) if path
        ),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SQLITE_PATH=str(tmp / "bench.sqlite3"),
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def manage(env: dict[str, str], *command: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout


def prepare(tmp: Path, env: dict[str, str]) -> dict[str, str]:
    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS_TEMPLATE.format(static_root=str(tmp / "static"))
    )
    step("migrate, seed_demo, collectstatic")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    picked = json.loads(manage(env, "shell", "-c", PICK_PAGES).strip().splitlines()[-1])
    return {"home": "/", "section": picked["section"], "article": picked["article"]}


def server_command(args: argparse.Namespace, port: int) -> list[str]:
    if args.server == "gunicorn":
        return [
            find_executable("gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ]
    return [
        find_executable("granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--blocking-threads",
        str(args.blocking_threads),
        "--no-ws",
        "--log-level",
        "warning",
        "config.wsgi:application",
    ]


def find_executable(name: str) -> str:
    candidate = BIN / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed (looked in {BIN} and PATH)")
    return found


@contextmanager
def running_server(command: list[str], env: dict[str, str], base_url: str) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(base_url, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(base_url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the app server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("the app server did not answer within 60 s")


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        return response.status, response.read().decode()


def warm_up(base_url: str, pages: dict[str, str], workers: int) -> None:
    """Every worker renders every page (and image renditions) before anything is timed."""
    for _ in range(workers * 4):
        for name, path in pages.items():
            status, html = fetch(base_url + path)
            if status != 200:
                sys.exit(f"{name} page {path} answered {status}")
            if name == "article" and f'class="{PAID_PART_CLASS}' in html:
                sys.exit(f"{path} sent the paid part to a guest; it is not a guest page")


def run_wrk(url: str, args: argparse.Namespace) -> tuple[str, float]:
    """Run wrk; return its report and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [
            find_executable("wrk"),
            "--threads",
            "1",
            "--connections",
            str(args.connections),
            "--duration",
            f"{args.seconds}s",
            "--timeout",
            "10s",
            "--latency",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return completed.stdout, cpu


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * UNITS_MS[unit]


def parse_wrk(name: str, path: str, report: str, cpu: float, seconds: int) -> Result:
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", report, re.MULTILINE))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = (sum(map(int, socket_errors.groups())) if socket_errors else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0
    )
    return Result(
        name=name,
        path=path,
        requests=int(re.search(r"(\d+) requests in", report).group(1)),
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
        p50_ms=to_ms(percentiles["50"]),
        p99_ms=to_ms(percentiles["99"]),
        errors=errors,
        loadgen_cpu=cpu / seconds,
    )


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def wrk_version() -> str:
    completed = subprocess.run(
        [find_executable("wrk"), "--version"], capture_output=True, text=True
    )
    return (completed.stdout + completed.stderr).splitlines()[0]


def report(results: list[Result], args: argparse.Namespace) -> None:
    threads = f", {args.blocking_threads} thread(s) each" if args.server == "granian" else ""
    step(
        f"results: {args.server}, {args.workers} workers{threads}, "
        f"c={args.connections}, {args.seconds} s"
    )
    print(
        f"{'page':<8} {'path':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'wrk cpu':>8} {'vs Ghost req/s':>15} {'vs Ghost p50':>13}"
    )
    for r in results:
        print(
            f"{r.name:<8} {r.path:<16} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
            f"{r.errors:>6} {r.loadgen_cpu:>7.0%} {r.rps / GHOST_RPS:>14.2f}x "
            f"{GHOST_P50_MS / r.p50_ms:>12.2f}x"
        )
    article = next(r for r in results if r.name == "article")
    target = GHOST_RPS * TARGET_FACTOR
    verdict = "met" if article.rps >= target else "NOT met"
    print(
        f"\nGhost 6 reference: {GHOST_RPS:.0f} req/s, p50 {GHOST_P50_MS:.0f} ms (post page, c=32)."
        f"\nTarget for the guest article page: >= {TARGET_FACTOR}x = {target:.0f} req/s -> "
        f"{article.rps:.1f} req/s, {verdict}."
        f"\n'wrk cpu' is the load generator's share of one core: well below 100% means it was "
        f"not the bottleneck."
    )


def main() -> None:
    args = parse_args()
    print(f"load generator: {wrk_version()}, 1 thread, {args.connections} connections")
    with tempfile.TemporaryDirectory(prefix="denshiban-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = server_env(tmp, args)
        pages = prepare(tmp, env)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        step(f"starting {args.server} with {args.workers} workers on {base_url}")
        results = []
        with running_server(server_command(args, port), env, base_url):
            warm_up(base_url, pages, args.workers)
            for name, path in pages.items():
                step(f"{name} {path}: {args.connections} connections for {args.seconds} s")
                output, cpu = run_wrk(base_url + path, args)
                results.append(parse_wrk(name, path, output, cpu, args.seconds))
                print(output.rstrip())
    report(results, args)


if __name__ == "__main__":
    main()
