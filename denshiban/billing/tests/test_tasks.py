"""The billing task run by a real worker process, as in production."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from uuid import UUID

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from denshiban.billing.models import Subscription, SubscriptionStatus
from denshiban.billing.tasks import billing_tick

from .factories import SubscriptionFactory


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queued_billing_tick(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite test database to a file for the worker")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    lapsed = SubscriptionFactory(
        status=SubscriptionStatus.CANCELED, started_at=timezone.now() - timedelta(days=31)
    )
    queued = billing_tick.enqueue()
    # The test database lives in memory; the worker gets a file copy of it, queue included.
    database = tmp_path / "worker.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(database)])
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "SQLITE_PATH": str(database),
        "DEBUG": "0",
    }
    environment.pop("DATABASE_URL", None)
    worker = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--interval", "0.1"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    with closing(sqlite3.connect(database)) as copy:
        (status,) = copy.execute(
            f"SELECT status FROM {Subscription._meta.db_table} WHERE id = ?",  # noqa: S608
            [lapsed.pk],
        ).fetchone()
        (task_status, return_value) = copy.execute(
            f"SELECT status, return_value FROM {DBTaskResult._meta.db_table} WHERE id = ?",  # noqa: S608
            [UUID(queued.id).hex],  # SQLite keeps UUIDs as plain hex
        ).fetchone()
    assert status == SubscriptionStatus.EXPIRED
    assert task_status == "SUCCESSFUL"
    assert '"expired": 1' in return_value
