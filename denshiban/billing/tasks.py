"""Background work for billing, run by the task worker (manage.py db_worker)."""

from django.tasks import task

from . import services


@task
def billing_tick() -> dict[str, int]:
    """Close the billing periods that have run out (see services.run_billing_tick)."""
    report = services.run_billing_tick()
    return {"expired": report.expired, "renewed": report.renewed}
