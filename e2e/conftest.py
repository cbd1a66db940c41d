"""Chromium driven by Playwright against pytest-django's live server, with the demo paper loaded.

Playwright cannot download its own browsers here, so it launches Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_paper(live_server) -> None:
    """The demo newspaper, seeded into the live server's database for one test.

    The live server needs a transactional database, flushed after each test, which also
    empties Wagtail's tree; seed_demo builds it from nothing each time.
    """
    call_command("seed_demo", stdout=io.StringIO())


def _serve_media(route: Route) -> None:
    """Answer /media/ requests from the test storage, which the live server does not serve.

    Test settings keep uploads in memory, so photos and renditions exist only in this process.
    """
    path = route.request.url.split(settings.MEDIA_URL, 1)[1].split("?", 1)[0]
    if not default_storage.exists(path):
        route.fulfill(status=404)
        return
    with default_storage.open(path) as handle:
        body = handle.read()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    route.fulfill(status=200, body=body, content_type=content_type)


def _open_context(browser: Browser, options: dict) -> BrowserContext:
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **options)
    context.route(f"**{settings.MEDIA_URL}**", _serve_media)
    return context


@pytest.fixture
def desktop_page(browser: Browser) -> Iterator[Page]:
    context = _open_context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = _open_context(browser, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
