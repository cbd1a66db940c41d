"""Reads for the editors' admin: the registration funnel, and sending progress of many issues.

Each function runs a fixed number of queries whatever the number of articles, subscribers or
issues, so the report and the issue list stay fast as the lists grow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from denshiban.billing.models import Subscription
from denshiban.core.dates import JST

from .models import Delivery, DeliveryStatus, FunnelDay, NewsletterIssue, Subscriber
from .sending import Progress

DEFAULT_PERIOD_DAYS = 30
TOP_ARTICLES = 50


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days in Japan time, both ends included (FunnelDay counts JST days)."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=JST)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=JST)


def default_period(today: date | None = None) -> Period:
    """The last 30 days, today included."""
    today = today or timezone.now().astimezone(JST).date()
    return Period(start=today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=today)


def _rate(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


@dataclass(frozen=True, slots=True)
class FunnelCounts:
    shown: int = 0
    submitted: int = 0
    confirmed: int = 0
    paid: int = 0

    @property
    def submitted_rate(self) -> float | None:
        """登録送信 per フォーム表示, in percent (None when nothing was shown)."""
        return _rate(self.submitted, self.shown)

    @property
    def confirmed_rate(self) -> float | None:
        return _rate(self.confirmed, self.submitted)

    @property
    def paid_rate(self) -> float | None:
        return _rate(self.paid, self.confirmed)

    @property
    def overall_rate(self) -> float | None:
        """From a form shown to a paid member."""
        return _rate(self.paid, self.shown)


@dataclass(frozen=True, slots=True)
class ArticleFunnel:
    article_id: int
    title: str
    counts: FunnelCounts


@dataclass(frozen=True, slots=True)
class FunnelReport:
    period: Period
    article_id: int | None
    totals: FunnelCounts
    by_article: list[ArticleFunnel]


def _confirmed_in(period: Period, article_id: int | None):
    """Subscribers who confirmed in the period, each marked if they later took a subscription.

    "Later" is a billing subscription of the linked member created after the confirmation,
    at any time up to now: the report is about what the sign-up led to.
    """
    subscribers = Subscriber.objects.filter(
        confirmed_at__gte=period.since, confirmed_at__lt=period.until
    )
    if article_id is not None:
        subscribers = subscribers.filter(source_article_id=article_id)
    paid_later = Subscription.objects.filter(
        user_id=OuterRef("user_id"), created_at__gt=OuterRef("confirmed_at")
    )
    return subscribers.annotate(paid_later=Exists(paid_later))


def _counts_of_confirmed() -> dict:
    return {"confirmed": Count("pk"), "paid": Count("pk", filter=Q(paid_later=True))}


def funnel(
    period: Period, *, article_id: int | None = None, limit: int = TOP_ARTICLES
) -> FunnelReport:
    """フォーム表示 → 登録送信 → 確認済み → のちに有料会員, in total and per article.

    Four queries: the form counts, the confirmations, the top articles by forms shown, and
    the confirmations of those articles.
    """
    days = FunnelDay.objects.filter(day__gte=period.start, day__lte=period.end)
    if article_id is not None:
        days = days.filter(article_id=article_id)
    form = days.aggregate(shown=Sum("shown"), submitted=Sum("submitted"))
    confirmed = _confirmed_in(period, article_id).aggregate(**_counts_of_confirmed())
    totals = FunnelCounts(
        shown=form["shown"] or 0,
        submitted=form["submitted"] or 0,
        confirmed=confirmed["confirmed"],
        paid=confirmed["paid"],
    )

    top = list(
        days.values("article_id", "article__title")
        .annotate(shown=Sum("shown"), submitted=Sum("submitted"))
        .order_by("-shown", "-submitted", "article_id")[:limit]
    )
    article_ids = [row["article_id"] for row in top]
    per_article = {
        row["source_article_id"]: row
        for row in _confirmed_in(period, None)
        .filter(source_article_id__in=article_ids)
        .values("source_article_id")
        .annotate(**_counts_of_confirmed())
        .order_by()
    }
    by_article = []
    for row in top:
        confirmations = per_article.get(row["article_id"], {})
        by_article.append(
            ArticleFunnel(
                article_id=row["article_id"],
                title=row["article__title"],
                counts=FunnelCounts(
                    shown=row["shown"] or 0,
                    submitted=row["submitted"] or 0,
                    confirmed=confirmations.get("confirmed", 0),
                    paid=confirmations.get("paid", 0),
                ),
            )
        )
    return FunnelReport(period=period, article_id=article_id, totals=totals, by_article=by_article)


def issues_progress(issues: Iterable[NewsletterIssue]) -> dict[int, Progress]:
    """sending.progress for a page of issues, in one grouped query."""
    issues = list(issues)
    if not issues:
        return {}
    counts: dict[int, dict[str, int]] = {
        issue.pk: dict.fromkeys(DeliveryStatus.values, 0) for issue in issues
    }
    rows = (
        Delivery.objects.filter(issue_id__in=list(counts))
        .values_list("issue_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for issue_id, status, n in rows:
        counts[issue_id][status] = n
    result = {}
    for issue in issues:
        by_status = counts[issue.pk]
        result[issue.pk] = Progress(
            total=issue.total or sum(by_status.values()),
            sent=by_status[DeliveryStatus.SENT],
            failed=by_status[DeliveryStatus.FAILED],
            skipped=by_status[DeliveryStatus.SKIPPED],
            pending=by_status[DeliveryStatus.PENDING] + by_status[DeliveryStatus.SENDING],
        )
    return result
