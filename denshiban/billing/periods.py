"""Billing periods: a month or a year on, counted on the Japanese calendar."""

import calendar
from datetime import datetime

from django.utils import timezone

from .models import BillingInterval, Plan


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later in Japan time; the 31st falls back to the month's last day."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def period_end(plan: Plan, start: datetime) -> datetime:
    """When a period of `plan` that begins at `start` ends."""
    return add_months(start, 12 if plan.interval == BillingInterval.YEAR else 1)
