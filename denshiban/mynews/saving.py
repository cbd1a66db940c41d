"""Saved articles and saved charts (記事を保存する / 図表を保存する): writes and reads.

Saved items live on the server, so the member's phone, tablet and desktop (and the API)
see the same list. Saving is for paid members; a member whose subscription lapses keeps
everything saved, cannot open the lists while lapsed, and finds them again on subscribing.

A saved article that is no longer published is left out of the list (and comes back if
it is published again). A saved chart is drawn only while the member may read an article
that shows it — the rule of charts.selectors.chart_visible_to, applied to a whole page of
charts in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import transaction
from wagtail.models import ReferenceIndex

from denshiban.access.permissions import Action, Permission, check
from denshiban.access.policy import can_read
from denshiban.access.readers import as_reader
from denshiban.charts.models import Chart
from denshiban.charts.selectors import CHART_BLOCK_PATH, chart_visible_to
from denshiban.newsroom.models import ArticlePage
from denshiban.newsroom.selectors import ArticleSummary, ListedSection

from .models import SavedArticle, SavedChart

SAVED_PER_PAGE = 20


class SaveRefused(Exception):
    """The reader may not save (guest, free or lapsed member)."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.message)
        self.permission = permission


class SaveTargetNotFound(Exception):
    """No such published article, or no chart this member may see."""


def require_permission(user: Any) -> None:
    permission = check(user, Action.SAVE)
    if not permission.allowed:
        raise SaveRefused(permission)


@transaction.atomic
def save_article(*, user: Any, article_id: int) -> SavedArticle:
    """Saving twice keeps the first save (and its time)."""
    require_permission(user)
    if not ArticlePage.objects.live().filter(pk=article_id).exists():
        raise SaveTargetNotFound
    saved, _created = SavedArticle.objects.get_or_create(user=user, article_id=article_id)
    return saved


@transaction.atomic
def unsave_article(*, user: Any, article_id: int) -> None:
    """Removing what is not saved is not an error: the state asked for is reached."""
    require_permission(user)
    SavedArticle.objects.filter(user=user, article_id=article_id).delete()


@transaction.atomic
def save_chart(*, user: Any, chart_id: int) -> SavedChart:
    require_permission(user)
    chart = Chart.objects.filter(pk=chart_id).first()
    if chart is None or not chart_visible_to(user, chart):
        raise SaveTargetNotFound
    saved, _created = SavedChart.objects.get_or_create(user=user, chart=chart)
    return saved


@transaction.atomic
def unsave_chart(*, user: Any, chart_id: int) -> None:
    require_permission(user)
    SavedChart.objects.filter(user=user, chart_id=chart_id).delete()


# Reads


def is_article_saved(user: Any, article_id: int) -> bool:
    return SavedArticle.objects.filter(user=user, article_id=article_id).exists()


def saved_chart_ids(user: Any, request: Any = None) -> frozenset[int]:
    """Every chart the member saved, read once per request however many charts a page draws."""
    memo = getattr(request, "_mynews_saved_chart_ids", None) if request is not None else None
    if memo is not None:
        return memo
    ids = frozenset(SavedChart.objects.filter(user=user).values_list("chart_id", flat=True))
    if request is not None:
        request._mynews_saved_chart_ids = ids
    return ids


@dataclass(frozen=True, slots=True)
class SavedArticleItem:
    article: ArticleSummary
    saved_at: datetime


@dataclass(frozen=True, slots=True)
class SavedChartItem:
    chart: Chart
    saved_at: datetime
    visible: bool


_ARTICLE_FIELDS = (
    "article_id",
    "article__title",
    "article__lead",
    "article__access_level",
    "article__first_published_at",
    "article__updated_at",
    "article__section__title",
    "article__section__slug",
    "created_at",
)


def saved_articles(user: Any, page: str | int | None) -> PaginatorPage:
    """A page of the member's saved, still published articles, newest save first
    (two queries: the count and the page)."""
    rows = (
        SavedArticle.objects.filter(user=user, article__live=True)
        .order_by("-created_at", "-id")
        .values_list(*_ARTICLE_FIELDS)
    )
    paginated = Paginator(rows, SAVED_PER_PAGE).get_page(page)
    paginated.object_list = [
        SavedArticleItem(
            article=ArticleSummary(
                pk=row[0],
                title=row[1],
                lead=row[2],
                access_level=row[3],
                published_at=row[4],
                updated_at=row[5],
                section=ListedSection(title=row[6] or "", slug=row[7] or ""),
            ),
            saved_at=row[8],
        )
        for row in paginated.object_list
    ]
    return paginated


def saved_charts(user: Any, page: str | int | None) -> PaginatorPage:
    """A page of the member's saved charts, newest save first, each marked visible or not
    (a fixed number of queries whatever the number of charts)."""
    rows = (
        SavedChart.objects.filter(user=user).select_related("chart").order_by("-created_at", "-id")
    )
    paginated = Paginator(rows, SAVED_PER_PAGE).get_page(page)
    saved = list(paginated.object_list)
    visible = visible_chart_ids(user, [item.chart for item in saved])
    paginated.object_list = [
        SavedChartItem(chart=item.chart, saved_at=item.created_at, visible=item.chart_id in visible)
        for item in saved
    ]
    return paginated


def visible_chart_ids(reader: Any, charts: list[Chart]) -> set[int]:
    """The ids of `charts` that `reader` may see: chart_visible_to's rule for many charts at
    once (two queries: the references, then the live articles that make them)."""
    if not charts:
        return set()
    user = as_reader(reader).user
    if user is not None and user.is_active and user.is_staff:
        return {chart.pk for chart in charts}
    references = (
        ReferenceIndex.get_references_to_in_bulk(charts)
        .filter(
            content_type=ContentType.objects.get_for_model(ArticlePage),
            model_path=CHART_BLOCK_PATH,
        )
        .values_list("object_id", "to_object_id")
    )
    articles_of: dict[int, set[int]] = {}
    for article_id, chart_id in references:
        articles_of.setdefault(int(chart_id), set()).add(int(article_id))
    wanted = set().union(*articles_of.values()) if articles_of else set()
    readable = {
        article.pk
        for article in ArticlePage.objects.live()
        .filter(pk__in=wanted)
        .only("id", "access_level", "newsletter_unlock")
        if _reads_without_spending(reader, article)
    }
    return {chart_id for chart_id, articles in articles_of.items() if articles & readable}


def _reads_without_spending(reader: Any, article: ArticlePage) -> bool:
    decision = can_read(reader, article)
    return decision.full and not decision.counts_new_read
