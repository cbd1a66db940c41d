"""The funnel numbers and the progress of many issues, read straight from reports.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from denshiban.access.tests.factories import subscribe
from denshiban.accounts.tests.factories import UserFactory
from denshiban.billing.models import Subscription, SubscriptionStatus
from denshiban.core.dates import JST
from denshiban.newsletters import reports
from denshiban.newsletters.models import (
    Delivery,
    DeliveryStatus,
    FunnelDay,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
)
from denshiban.newsroom.tests.factories import add_article

pytestmark = pytest.mark.django_db

MAY = reports.Period(start=date(2026, 5, 1), end=date(2026, 5, 10))


def jst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=JST)


def confirmed(email: str, when: datetime | None, article=None, user=None, **fields) -> Subscriber:
    return Subscriber.objects.create(
        email=email,
        status=fields.pop("status", SubscriberStatus.CONFIRMED),
        consent_text="同意",
        consented_at=when or jst(2026, 5, 1),
        confirmed_at=when,
        source_article=article,
        user=user,
        **fields,
    )


def member_subscribed_at(when: datetime, status=SubscriptionStatus.ACTIVE):
    user = UserFactory()
    subscription = subscribe(user, status)
    Subscription.objects.filter(pk=subscription.pk).update(created_at=when)
    return user


@pytest.fixture
def dataset(site, article):
    """Two articles with forms in May, rows just outside the period, and where people went."""
    other = add_article(index=site["index"], section=site["section"], title="円相場の行方")
    far = add_article(index=site["index"], section=site["section"], title="期間外の記事")
    FunnelDay.objects.bulk_create(
        [
            FunnelDay(day=date(2026, 5, 1), article=article, shown=100, submitted=10),
            FunnelDay(day=date(2026, 5, 5), article=article, shown=50, submitted=5),
            FunnelDay(day=date(2026, 4, 30), article=article, shown=999, submitted=99),
            FunnelDay(day=date(2026, 5, 10), article=other, shown=30, submitted=6),
            FunnelDay(day=date(2026, 5, 11), article=far, shown=70, submitted=7),
        ]
    )
    # From the first article: one became a paid member after confirming, one had been one
    # before, one has no account; two confirmed just outside the period (JST midnights).
    confirmed(
        "a1@example.jp", jst(2026, 5, 1, 0, 30), article, member_subscribed_at(jst(2026, 5, 3))
    )
    confirmed(
        "a2@example.jp",
        jst(2026, 5, 2),
        article,
        member_subscribed_at(jst(2026, 4, 20), SubscriptionStatus.EXPIRED),
    )
    confirmed("a3@example.jp", jst(2026, 5, 10, 23, 59), article)
    confirmed("a4@example.jp", jst(2026, 5, 11, 0, 0), article)
    confirmed("a5@example.jp", jst(2026, 4, 30, 23, 59), article)
    # From the second article: paid after the period ends still counts ("later").
    confirmed("b1@example.jp", jst(2026, 5, 4), other, member_subscribed_at(jst(2026, 5, 20)))
    confirmed("b2@example.jp", None, other, status=SubscriberStatus.PENDING)
    # Confirmed without an article (e.g. the article was deleted since).
    confirmed("x1@example.jp", jst(2026, 5, 5))
    return {"article": article, "other": other, "far": far}


def test_funnel_totals_for_the_period(dataset):
    report = reports.funnel(MAY)
    totals = report.totals
    assert (totals.shown, totals.submitted, totals.confirmed, totals.paid) == (180, 21, 5, 2)
    assert totals.submitted_rate == pytest.approx(21 * 100 / 180)
    assert totals.confirmed_rate == pytest.approx(5 * 100 / 21)
    assert totals.paid_rate == pytest.approx(40.0)
    assert totals.overall_rate == pytest.approx(2 * 100 / 180)


def test_funnel_by_article_ordered_by_forms_shown(dataset):
    rows = reports.funnel(MAY).by_article
    assert [(row.article_id, row.title) for row in rows] == [
        (dataset["article"].pk, dataset["article"].title),
        (dataset["other"].pk, "円相場の行方"),
    ]
    first, second = (row.counts for row in rows)
    assert (first.shown, first.submitted, first.confirmed, first.paid) == (150, 15, 3, 1)
    assert (second.shown, second.submitted, second.confirmed, second.paid) == (30, 6, 1, 1)


def test_funnel_for_one_article(dataset):
    report = reports.funnel(MAY, article_id=dataset["other"].pk)
    totals = report.totals
    assert (totals.shown, totals.submitted, totals.confirmed, totals.paid) == (30, 6, 1, 1)
    assert [row.article_id for row in report.by_article] == [dataset["other"].pk]


def test_funnel_table_is_cut_at_the_limit(dataset):
    rows = reports.funnel(MAY, limit=1).by_article
    assert [row.article_id for row in rows] == [dataset["article"].pk]


def test_funnel_runs_four_queries_whatever_the_data(dataset, django_assert_num_queries, site):
    with django_assert_num_queries(4):
        reports.funnel(MAY)
    for n in range(5):
        extra = add_article(index=site["index"], section=site["section"], title=f"記事{n}")
        FunnelDay.objects.create(day=date(2026, 5, 2), article=extra, shown=5, submitted=1)
        confirmed(f"extra{n}@example.jp", jst(2026, 5, 3), extra)
    with django_assert_num_queries(4):
        report = reports.funnel(MAY)
    assert len(report.by_article) == 7


def test_empty_funnel_has_no_rates(db):
    report = reports.funnel(MAY)
    assert report.by_article == []
    totals = report.totals
    assert (totals.shown, totals.submitted, totals.confirmed, totals.paid) == (0, 0, 0, 0)
    assert totals.submitted_rate is None and totals.paid_rate is None


def test_default_period_is_the_last_thirty_days_in_japan_time():
    period = reports.default_period(today=date(2026, 5, 31))
    assert (period.start, period.end) == (date(2026, 5, 2), date(2026, 5, 31))
    assert period.since == jst(2026, 5, 2)
    assert period.until == jst(2026, 6, 1)


def test_issues_progress_counts_many_issues_in_one_query(db, django_assert_num_queries):
    newsletter = Newsletter.objects.create(name="朝刊", slug="morning")
    first = NewsletterIssue.objects.create(newsletter=newsletter, subject="一", total=3)
    second = NewsletterIssue.objects.create(newsletter=newsletter, subject="二")
    untouched = NewsletterIssue.objects.create(newsletter=newsletter, subject="三")
    people = [confirmed(f"p{n}@example.jp", jst(2026, 5, 1)) for n in range(5)]
    Delivery.objects.bulk_create(
        [
            Delivery(issue=first, subscriber=people[0], status=DeliveryStatus.SENT),
            Delivery(issue=first, subscriber=people[1], status=DeliveryStatus.FAILED),
            Delivery(issue=first, subscriber=people[2], status=DeliveryStatus.SENDING),
            Delivery(issue=second, subscriber=people[3], status=DeliveryStatus.SKIPPED),
            Delivery(issue=second, subscriber=people[4], status=DeliveryStatus.SENT),
        ]
    )
    with django_assert_num_queries(1):
        progress = reports.issues_progress([first, second, untouched])
    one, two, three = progress[first.pk], progress[second.pk], progress[untouched.pk]
    assert (one.total, one.sent, one.failed, one.skipped, one.pending) == (3, 1, 1, 0, 1)
    assert (two.total, two.sent, two.skipped, two.done) == (2, 1, 1, 2)
    assert (three.total, three.done) == (0, 0)
    with django_assert_num_queries(0):
        assert reports.issues_progress([]) == {}
