"""Reads for the chart pages."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Subquery
from django.db.models.functions import Cast
from wagtail.models import ReferenceIndex

from denshiban.newsroom.models import ArticlePage
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
    article_ids = (
        ReferenceIndex.get_references_to(chart)
        .filter(
            content_type=ContentType.objects.get_for_model(ArticlePage),
            model_path=CHART_BLOCK_PATH,
        )
        .annotate(article_id=Cast("object_id", IntegerField()))
        .values("article_id")
    )
    return list(article_list().filter(pk__in=Subquery(article_ids))[:limit])


def chart_page_context(*, chart: Chart) -> dict[str, Any]:
    return {
        "chart": chart,
        "summary": chart.summary(),
        "articles": articles_using_chart(chart),
    }
