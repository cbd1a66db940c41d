"""GET /articles (public summaries) and GET /articles/{id} (through the reading policy)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from denshiban.access.readers import reader_from_request
from denshiban.access.reading import Reading
from denshiban.access.services import open_article
from denshiban.core.http import mark_cacheable_for_guests
from denshiban.newsroom.models import ArticlePage
from denshiban.newsroom.selectors import article_detail_queryset

from . import serialize
from .body import body_blocks, image_out
from .caching import cache_publicly
from .schemas import ArticleDetail, ArticleFilters, ArticleListOut, ErrorOut

router = Router(tags=["記事"])


def _aware(value):
    return timezone.make_aware(value) if value is not None and timezone.is_naive(value) else value


def filtered_articles(filters: ArticleFilters):
    articles = serialize.article_items()
    if filters.section:
        articles = articles.filter(section__slug=filters.section)
    if filters.topic:
        articles = articles.filter(topics__slug=filters.topic)
    if filters.series:
        articles = articles.filter(series__slug=filters.series)
    if filters.company:
        articles = articles.filter(companies__securities_code=filters.company)
    if filters.access_level:
        articles = articles.filter(access_level=filters.access_level)
    if filters.since:
        articles = articles.filter(first_published_at__gte=_aware(filters.since))
    if filters.until:
        articles = articles.filter(first_published_at__lte=_aware(filters.until))
    return articles


@router.get("", response=ArticleListOut, summary="記事の一覧(見出しとリードのみ)")
def list_articles(
    request: HttpRequest, response: HttpResponse, filters: Query[ArticleFilters]
) -> dict[str, Any]:
    articles = filtered_articles(filters)
    start = (filters.page - 1) * filters.page_size
    items = articles[start : start + filters.page_size]
    cache_publicly(response)
    return {
        "count": articles.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [serialize.article_item(request, a) for a in items],
    }


def _photos(request: HttpRequest, article: ArticlePage) -> list[dict[str, Any]]:
    photos = []
    for photo in article.photos.all():
        picture = image_out(request, photo.image)
        if picture is not None:
            photos.append({**picture, "caption": photo.caption, "credit": photo.credit})
    return photos


def article_detail(request: HttpRequest, reading: Reading) -> dict[str, Any]:
    article = reading.article
    companies = list(article.companies.all())
    industries = {c.industry.pk: c.industry for c in companies}
    for industry in article.industries.all():
        industries.setdefault(industry.pk, industry)
    return {
        **serialize.article_item(request, article),
        "dateline": article.dateline,
        "reporters": [serialize.reporter_ref(request, r) for r in article.reporters.all()],
        "series": serialize.series_ref(request, article.series) if article.series else None,
        "industries": [serialize.industry_ref(request, i) for i in industries.values()],
        "photos": _photos(request, article),
        "body": body_blocks(request, reading.body) if reading.body is not None else None,
        "paywall": None
        if reading.is_full
        else {
            "reason": str(reading.decision.reason),
            "offers": [str(offer) for offer in reading.decision.offers],
        },
    }


@router.get(
    "/{int:article_id}",
    response={200: ArticleDetail, 404: ErrorOut},
    summary="記事の詳細(本文は全文を読める読者にだけ)",
)
def get_article(request: HttpRequest, response: HttpResponse, article_id: int) -> dict[str, Any]:
    article = get_object_or_404(article_detail_queryset().live(), pk=article_id)
    reading = open_article(reader=reader_from_request(request), article=article)
    # The answer depends on who asks: shared caches keep only the guest's version.
    mark_cacheable_for_guests(request, response)
    return article_detail(request, reading)
