"""Reads for the reader's pages. Each returns what a template needs in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet, Window, prefetch_related_objects
from django.db.models.functions import RowNumber

from denshiban.access.reading import reading_for
from denshiban.access.services import open_article

from .models import (
    ArticlePage,
    ArticlePhoto,
    Company,
    HomePage,
    Industry,
    Reporter,
    SectionPage,
    Series,
    Topic,
)

LATEST_PER_PAGE = 20
HOME_SECTION_ITEMS = 5
HOME_TOP_STORIES = 5
NAV_CACHE_KEY = "newsroom:nav-sections:v1"


@dataclass(frozen=True)
class NavSection:
    title: str
    url: str
    slug: str


def nav_sections() -> list[NavSection]:
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = [
            NavSection(title=s.title, url=s.public_path, slug=s.slug) for s in _live_sections()
        ]
        cache.set(NAV_CACHE_KEY, sections, 300)
    return sections


def forget_nav_sections() -> None:
    cache.delete(NAV_CACHE_KEY)


def _live_sections() -> QuerySet[SectionPage]:
    return SectionPage.objects.live().order_by("position", "title")


def article_list() -> QuerySet[ArticlePage]:
    """Live articles, newest first, with what a list item shows (headline, time, badge)."""
    return (
        ArticlePage.objects.live()
        .select_related("section")
        .only(
            "id",
            "title",
            "lead",
            "access_level",
            "first_published_at",
            "updated_at",
            "go_live_at",
            "latest_revision_created_at",
            "section__id",
            "section__title",
            "section__slug",
            "section__url_path",
        )
        .order_by("-first_published_at", "-id")
    )


def paginate(queryset: QuerySet[Any], page: str | int | None, per_page: int = LATEST_PER_PAGE):
    return Paginator(queryset, per_page).get_page(page)


@dataclass(frozen=True, slots=True)
class ListedSection:
    title: str
    slug: str

    @property
    def public_path(self) -> str:
        return f"/{self.slug}/"


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """A list item: what lists show of an article, without building a page object.

    Lists are the busiest reads; plain rows keep them cheap however long they get.
    """

    pk: int
    title: str
    lead: str
    access_level: str
    published_at: datetime
    updated_at: datetime | None
    section: ListedSection

    @property
    def public_path(self) -> str:
        return f"/article/{self.pk}/"

    @property
    def is_updated(self) -> bool:
        return bool(self.updated_at and self.updated_at > self.published_at)

    @property
    def shown_time(self) -> datetime:
        return self.updated_at if self.is_updated and self.updated_at else self.published_at


_SUMMARY_FIELDS = (
    "id",
    "title",
    "lead",
    "access_level",
    "first_published_at",
    "updated_at",
    "section__title",
    "section__slug",
)


def summaries(queryset: QuerySet[ArticlePage]) -> list[ArticleSummary]:
    return [
        ArticleSummary(
            pk=row[0],
            title=row[1],
            lead=row[2],
            access_level=row[3],
            published_at=row[4],
            updated_at=row[5],
            section=ListedSection(title=row[6], slug=row[7]),
        )
        for row in queryset.values_list(*_SUMMARY_FIELDS)
    ]


def paginated_summaries(queryset: QuerySet[ArticlePage], page: str | int | None) -> PaginatorPage:
    """A page of the list, its items as summaries."""
    paginated = paginate(queryset, page)
    paginated.object_list = summaries(paginated.object_list)
    return paginated


def home_page_context(*, home: HomePage) -> dict[str, Any]:
    picked_ids = list(home.top_stories.order_by("sort_order").values_list("article_id", flat=True))
    picked = {a.pk: a for a in article_list().filter(pk__in=picked_ids)}
    top = [picked[pk] for pk in picked_ids if pk in picked][:HOME_TOP_STORIES]
    if len(top) < HOME_TOP_STORIES:
        top += list(
            article_list().exclude(pk__in=[a.pk for a in top])[: HOME_TOP_STORIES - len(top)]
        )
    lead_photo = None
    if top:
        lead_photo = (
            ArticlePhoto.objects.filter(article_id=top[0].pk)
            .select_related("image")
            .prefetch_related("image__renditions")
            .order_by("sort_order")
            .first()
        )
    latest_by_section: dict[str, list[ArticleSummary]] = {}
    for article in summaries(latest_per_section(HOME_SECTION_ITEMS)):
        latest_by_section.setdefault(article.section.slug, []).append(article)
    blocks = [
        {"section": section, "articles": latest_by_section.get(section.slug, [])}
        for section in nav_sections()
    ]
    return {"top_stories": top, "lead_photo": lead_photo, "section_blocks": blocks}


def latest_per_section(limit: int) -> QuerySet[ArticlePage]:
    """The newest `limit` articles of every section, in one query."""
    rank = Window(
        RowNumber(),
        partition_by=F("section_id"),
        order_by=[F("first_published_at").desc(), F("id").desc()],
    )
    return article_list().annotate(rank_in_section=rank).filter(rank_in_section__lte=limit)


def section_page_context(*, section: SectionPage, page: str | None) -> dict[str, Any]:
    return {"latest": paginated_summaries(article_list().filter(section=section), page)}


def _article_prefetches() -> tuple[str | Prefetch, ...]:
    return (
        "reporters",
        Prefetch("topics", queryset=Topic.objects.prefetch_related("related_topics")),
        Prefetch("companies", queryset=Company.objects.select_related("industry")),
        "industries",
        Prefetch(
            "photos",
            queryset=ArticlePhoto.objects.select_related("image").prefetch_related(
                "image__renditions"
            ),
        ),
    )


RELATIONS_VERSION_KEY = "newsroom:relations-version"
RELATIONS_TTL = 300


def article_detail_queryset() -> QuerySet[ArticlePage]:
    return ArticlePage.objects.select_related("section", "series").prefetch_related(
        *_article_prefetches()
    )


def _with_relations(article: ArticlePage, *, preview: bool) -> ArticlePage:
    """Load the served article's relations in a fixed number of queries.

    A preview shows the editor's unsaved form, so its relations stay as they are in memory.
    """
    if (
        preview
        or article.pk is None
        or "topics" in getattr(article, "_prefetched_objects_cache", {})
    ):
        return article
    return article_detail_queryset().get(pk=article.pk)


def forget_article_relations() -> None:
    """Called when a topic, company, reporter, photo … changes: every cached set is stale."""
    try:
        cache.incr(RELATIONS_VERSION_KEY)
    except ValueError:
        cache.set(RELATIONS_VERSION_KEY, 2, None)


def _load_relations(article: ArticlePage) -> None:
    """Attach the article's relations (topics, companies, photos …) from the shared cache.

    They are public metadata, never text after the lead. The key holds the article's last
    publication (relations only change when it is published) and a version that any edit of
    a topic, company, reporter, industry or image moves on.
    """
    version = cache.get_or_set(RELATIONS_VERSION_KEY, 1, None)
    published = article.last_published_at.timestamp() if article.last_published_at else 0
    key = f"newsroom:article-relations:{article.pk}:{published}:{version}"
    relations = cache.get(key)
    if relations is None:
        prefetch_related_objects([article], *_article_prefetches())
        # Evaluated query sets pickle with their rows, nested prefetches included.
        cache.set(key, article._prefetched_objects_cache, RELATIONS_TTL)
    else:
        article._prefetched_objects_cache = relations


def live_article(article_id: int) -> ArticlePage | None:
    """A published article with everything its page shows, or None.

    The article row (and so its access level and whether it is live) is always read fresh.
    """
    try:
        article = ArticlePage.objects.live().select_related("section", "series").get(pk=article_id)
    except ArticlePage.DoesNotExist:
        return None
    _load_relations(article)
    return article


def related_topics(topics: list[Topic]) -> list[Topic]:
    own = {t.pk for t in topics}
    seen: dict[int, Topic] = {}
    for topic in topics:
        for related in topic.related_topics.all():
            if related.pk not in own:
                seen.setdefault(related.pk, related)
    return list(seen.values())


def article_page_context(
    *, article: ArticlePage, reader: Any, preview: bool = False
) -> dict[str, Any]:
    full = _with_relations(article, preview=preview)
    topics = list(full.topics.all())
    companies = list(full.companies.all())
    industries = {c.industry.pk: c.industry for c in companies}
    for industry in full.industries.all():
        industries.setdefault(industry.pk, industry)
    return {
        "article": full,
        # A preview is the editor's, not a reader's opening: it counts nothing.
        "reading": reading_for(reader, full)
        if preview
        else open_article(reader=reader, article=full),
        "photos": list(full.photos.all()),
        "reporters": list(full.reporters.all()),
        "topics": topics,
        "main_topic": topics[0] if topics else None,
        "related_topics": related_topics(topics),
        "companies": companies,
        "industries": list(industries.values()),
        "section_latest": summaries(
            article_list().filter(section_id=full.section_id).exclude(pk=full.pk)[:5]
        ),
    }


def topic_context(*, topic: Topic, page: str | None) -> dict[str, Any]:
    return {
        "topic": topic,
        "related_topics": list(topic.related_topics.all()),
        "latest": paginated_summaries(article_list().filter(topics=topic), page),
    }


def series_context(*, series: Series, page: str | None) -> dict[str, Any]:
    return {
        "series": series,
        "latest": paginated_summaries(article_list().filter(series=series), page),
    }


def company_context(*, company: Company, page: str | None) -> dict[str, Any]:
    return {
        "company": company,
        "latest": paginated_summaries(article_list().filter(companies=company), page),
    }


def industry_context(*, industry: Industry, page: str | None) -> dict[str, Any]:
    articles = article_list().filter(industries=industry) | article_list().filter(
        companies__industry=industry
    )
    return {
        "industry": industry,
        "companies": list(industry.companies.all()),
        "latest": paginated_summaries(articles.distinct(), page),
    }


def reporter_context(*, reporter: Reporter, page: str | None) -> dict[str, Any]:
    return {
        "reporter": reporter,
        "latest": paginated_summaries(article_list().filter(reporters=reporter), page),
    }
