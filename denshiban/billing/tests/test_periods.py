from datetime import datetime

from denshiban.billing.models import BillingInterval, Plan
from denshiban.billing.periods import add_months, period_end
from denshiban.core.dates import JST


def test_a_month_on_keeps_the_day():
    assert add_months(datetime(2026, 11, 29, 5, 30, tzinfo=JST), 1) == datetime(
        2026, 12, 29, 5, 30, tzinfo=JST
    )


def test_month_end_falls_back_to_the_shorter_months_last_day():
    assert add_months(datetime(2027, 1, 31, tzinfo=JST), 1).date().isoformat() == "2027-02-28"


def test_months_cross_the_year():
    assert add_months(datetime(2026, 12, 15, tzinfo=JST), 2).date().isoformat() == "2027-02-15"


def test_counted_in_japan_time():
    # 2026-11-30 20:00 UTC is already 1 December in Japan.
    utc_evening = datetime.fromisoformat("2026-11-30T20:00:00+00:00")
    assert add_months(utc_evening, 1).date().isoformat() == "2027-01-01"


def test_period_end_follows_the_plan_interval():
    start = datetime(2026, 4, 1, tzinfo=JST)
    assert period_end(Plan(interval=BillingInterval.MONTH), start).month == 5
    assert period_end(Plan(interval=BillingInterval.YEAR), start).year == 2027
