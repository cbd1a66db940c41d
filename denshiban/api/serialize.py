"""Model → plain data for the API. Absolute URLs are built from the request's host."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from denshiban.newsroom.models import (
    ArticlePage,
    Company,
    Industry,
    Reporter,
    SectionPage,
    Series,
    Topic,
)
from denshiban.newsroom.selectors import article_list

LATEST_ITEMS = 20


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def section_ref(request: HttpRequest, section: SectionPage) -> dict[str, Any]:
    return {
        "slug": section.slug,
        "title": section.title,
        "url": absolute(request, section.public_path),
    }


def summary_fields(request: HttpRequest, article: Any) -> dict[str, Any]:
    """What a list item says of an article (an ArticleSummary): headline and lead, never more."""
    section = article.section
    return {
        "url": absolute(request, article.public_path),
        "headline": article.title,
        "lead": article.lead,
        "section": section_ref(request, section) if section.slug else None,
        "access_level": article.access_level,
        "published_at": article.published_at,
    }


def section_out(request: HttpRequest, section: SectionPage) -> dict[str, Any]:
    feed_kwargs = {"section_slug": section.slug}
    return {
        **section_ref(request, section),
        "description": section.description,
        "rss_url": absolute(request, reverse("section-feed-rss", kwargs=feed_kwargs)),
        "atom_url": absolute(request, reverse("section-feed-atom", kwargs=feed_kwargs)),
    }


def topic_ref(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    return {
        "slug": topic.slug,
        "name": topic.name,
        "url": absolute(request, topic.get_absolute_url()),
    }


def company_ref(request: HttpRequest, company: Company) -> dict[str, Any]:
    return {
        "code": company.securities_code,
        "name": company.name,
        "url": absolute(request, company.get_absolute_url()),
    }


def industry_ref(request: HttpRequest, industry: Industry) -> dict[str, Any]:
    return {
        "slug": industry.slug,
        "name": industry.name,
        "url": absolute(request, industry.get_absolute_url()),
    }


def reporter_ref(request: HttpRequest, reporter: Reporter) -> dict[str, Any]:
    return {
        "slug": reporter.slug,
        "name": reporter.name,
        "bureau": reporter.bureau,
        "url": absolute(request, reporter.get_absolute_url()),
    }


def series_ref(request: HttpRequest, series: Series) -> dict[str, Any]:
    return {
        "slug": series.slug,
        "name": series.name,
        "kind": series.kind,
        "url": absolute(request, series.get_absolute_url()),
    }


def article_items() -> QuerySet[ArticlePage]:
    """Live articles with what a list item shows; a fixed number of queries for any page size."""
    return article_list().prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("id", "slug", "name")),
        Prefetch("companies", queryset=Company.objects.only("id", "securities_code", "name")),
    )


def article_item(request: HttpRequest, article: ArticlePage) -> dict[str, Any]:
    """The public summary of an article: headline and lead, never the body."""
    return {
        "id": article.pk,
        "url": absolute(request, article.public_path),
        "headline": article.title,
        "lead": article.lead,
        "section": section_ref(request, article.section) if article.section else None,
        "access_level": article.access_level,
        "published_at": article.first_published_at,
        "updated_at": article.updated_at,
        "is_updated": article.is_updated,
        "topics": [topic_ref(request, t) for t in article.topics.all()],
        "companies": [company_ref(request, c) for c in article.companies.all()],
    }


def latest_items(request: HttpRequest, articles: QuerySet[ArticlePage]) -> list[dict[str, Any]]:
    return [article_item(request, a) for a in articles[:LATEST_ITEMS]]
