"""Test settings that cut across every app: what a missing browser or database means.

On a laptop a missing Chromium or PostgreSQL skips the tests that need it. CI sets
DENSHIBAN_REQUIRE_BROWSER=1 / DENSHIBAN_REQUIRE_POSTGRES=1 so the same absence fails the run
instead of passing it quietly with fewer tests.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the ORM calls that tests and the live server make next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip() == "1"


def _database_vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def _missing_browser() -> str | None:
    if CHROMIUM.exists():
        return None
    return f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"


def _missing_postgres() -> str | None:
    vendor = _database_vendor()
    if vendor == "postgresql":
        return None
    return f"needs PostgreSQL (DATABASE_URL=postgres://…); the database here is {vendor}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _required("DENSHIBAN_REQUIRE_POSTGRES") and (reason := _missing_postgres()):
        # A whole run meant for PostgreSQL must not pass on SQLite by accident.
        raise pytest.UsageError(f"DENSHIBAN_REQUIRE_POSTGRES=1 but the suite {reason}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Runs before the test's fixtures, so a missing browser is reported, not a launch error.
    checks = (
        ("browser", "DENSHIBAN_REQUIRE_BROWSER", _missing_browser),
        ("postgres", "DENSHIBAN_REQUIRE_POSTGRES", _missing_postgres),
    )
    for marker, variable, missing in checks:
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if _required(variable):
            pytest.fail(f"{variable}=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: Redis outlives a test run, local memory a test."""
    from django.core.cache import cache

    cache.clear()
