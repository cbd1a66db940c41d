"""RSS 2.0 and Atom feeds of the latest articles, for the whole paper and per section.

Feeds are public and shared by every reader, so each item carries the lead only, taken
from the guest's reading of the article: the body never enters a feed.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from denshiban.access.reading import public_reading

from .models import ArticlePage, SectionPage
from .selectors import article_list

FEED_ITEMS = 50
FEED_MAX_AGE = 300


def feed_articles(section: SectionPage | None = None) -> QuerySet[ArticlePage]:
    """The newest live articles with what an item shows, in a fixed number of queries."""
    articles = article_list().prefetch_related("topics", "reporters")
    if section is not None:
        articles = articles.filter(section=section)
    return articles[:FEED_ITEMS]


class LatestArticlesFeed(Feed):
    """The whole paper's latest articles as RSS 2.0."""

    feed_type = Rss201rev2Feed
    language = "ja"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # The same document for everyone: shared caches may keep it.
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response

    def get_object(self, request: HttpRequest, *args, **kwargs) -> SectionPage | None:
        return None

    def title(self, section: SectionPage | None) -> str:
        if section is None:
            return _("%(site)s 最新記事") % {"site": settings.SITE_NAME}
        return _("%(site)s %(section)sの最新記事") % {
            "site": settings.SITE_NAME,
            "section": section.title,
        }

    def link(self, section: SectionPage | None) -> str:
        return section.public_path if section is not None else "/"

    def description(self, section: SectionPage | None) -> str:
        if section is None:
            return _("%(site)sに掲載された最新の記事です。") % {"site": settings.SITE_NAME}
        return _("%(site)sの%(section)sに掲載された最新の記事です。") % {
            "site": settings.SITE_NAME,
            "section": section.title,
        }

    def items(self, section: SectionPage | None) -> QuerySet[ArticlePage]:
        return feed_articles(section)

    def item_title(self, article: ArticlePage) -> str:
        return article.title

    def item_description(self, article: ArticlePage) -> str:
        return public_reading(article).lead

    def item_link(self, article: ArticlePage) -> str:
        return article.public_path

    def item_pubdate(self, article: ArticlePage) -> datetime | None:
        return article.first_published_at

    def item_updateddate(self, article: ArticlePage) -> datetime | None:
        # Atom requires <updated> on every entry: unchanged articles give their publication time.
        return article.updated_at if article.is_updated else article.first_published_at

    def item_author_name(self, article: ArticlePage) -> str | None:
        names = [reporter.name for reporter in article.reporters.all()]
        return "、".join(names) or None

    def item_categories(self, article: ArticlePage) -> list[str]:
        categories = [article.section.title] if article.section else []
        return categories + [topic.name for topic in article.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SectionArticlesFeed(LatestArticlesFeed):
    """One section's latest articles; an unknown section is a 404."""

    def get_object(self, request: HttpRequest, *args, section_slug: str = "", **kwargs):
        return get_object_or_404(SectionPage.objects.live(), slug=section_slug)


class SectionArticlesAtomFeed(SectionArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
