"""Reads for the chart pages."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Subquery
from django.db.models.functions import Cast
from wagtail.models import ReferenceIndex

from denshiban.access.policy import can_read
from denshiban.access.readers import as_reader
from denshiban.newsroom.models import AccessLevel, ArticlePage
from denshiban.newsroom.selectors import article_list

from .models import Chart

# Where ArticleBodyBlock keeps a chart: the `chart` field of the body's `chart` block.
CHART_BLOCK_PATH = "body.chart.chart"
ARTICLES_SHOWN = 20


def articles_using_chart(chart: Chart, *, limit: int = ARTICLES_SHOWN) -> list[ArticlePage]:
    """Live articles whose body shows the chart, newest first, with headline-level fields only.

    Wagtail's reference index records the target of every chooser block when a page is saved,
    on SQLite and PostgreSQL alike, so this is an indexed lookup. Searching the body's JSON
    text instead would find chart 12 when asked for chart 1, and the JSON is spaced
    differently by each database.
    """
    return list(article_list().filter(pk__in=_using_article_ids(chart))[:limit])


def _chart_references():
    return ReferenceIndex.objects.filter(
        content_type=ContentType.objects.get_for_model(ArticlePage),
        model_path=CHART_BLOCK_PATH,
    )


def _using_article_ids(chart: Chart) -> Subquery:
    references = (
        ReferenceIndex.get_references_to(chart)
        .filter(
            content_type=ContentType.objects.get_for_model(ArticlePage),
            model_path=CHART_BLOCK_PATH,
        )
        .annotate(article_id=Cast("object_id", IntegerField()))
        .values("article_id")
    )
    return Subquery(references)


def chart_visible_to(reader: Any, chart: Chart) -> bool:
    """A chart is part of the articles that show it: it is shown to a reader who may read
    one of them in full now (without spending a free member's monthly allowance on it).

    A chart no live article shows yet is for editors only.
    """
    user = as_reader(reader).user
    if user is not None and user.is_active and user.is_staff:
        return True
    articles = ArticlePage.objects.live().filter(pk__in=_using_article_ids(chart))
    for article in articles.only("id", "access_level", "newsletter_unlock"):
        decision = can_read(reader, article)
        if decision.full and not decision.counts_new_read:
            return True
    return False


def public_charts():
    """Charts that a free live article shows: anyone may see them (the sitemap lists these)."""
    free_ids = ArticlePage.objects.live().filter(access_level=AccessLevel.FREE).values("pk")
    chart_ids = (
        _chart_references()
        .filter(to_content_type=ContentType.objects.get_for_model(Chart))
        .annotate(article_id=Cast("object_id", IntegerField()))
        .filter(article_id__in=free_ids)
        .annotate(chart_id=Cast("to_object_id", IntegerField()))
        .values("chart_id")
    )
    return Chart.objects.filter(pk__in=Subquery(chart_ids))


def chart_page_context(*, chart: Chart) -> dict[str, Any]:
    return {
        "chart": chart,
        "summary": chart.summary(),
        "articles": articles_using_chart(chart),
    }
