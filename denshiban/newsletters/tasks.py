"""Background work for newsletters, run by the task worker."""

from django.tasks import task

from . import sending


@task
def prepare_issue(issue_id: int) -> int:
    """Record one delivery per recipient, then queue the drains (see sending.prepare)."""
    return sending.prepare(issue_id)


@task
def drain_issue(issue_id: int) -> dict[str, int | str]:
    """Send batches of the issue until none is left (see sending.drain)."""
    report = sending.drain(issue_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "skipped": report.skipped,
        "batches": report.batches,
        "error": report.error,
    }


@task
def newsletter_tick() -> dict[str, int]:
    """Start scheduled issues that are due and pick up issues nobody is sending."""
    return {"started": sending.start_due_issues(), "resumed": sending.resume_stalled()}
