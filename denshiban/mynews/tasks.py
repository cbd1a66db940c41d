"""Keyword matching in the background: which articles each registered keyword brings in.

`match_article` runs when an article is published or updated: its text goes through the
automaton of every registered keyword and its keyword feed entries are made to agree.
`backfill_keyword` runs when a Keyword is first registered: it looks for that word in the
last 30 days of articles, so the member's Myニュース has its articles at once.

Each worker process keeps one automaton (`keywords.get_matcher`) and rebuilds it only when
the keywords version moves. The version is a token in the shared cache, moved after every
commit that creates or deletes a Keyword, together with the newest Keyword id (one index
lookup). The id is what a worker relies on when the cache is not shared: the local-memory
cache of the embedded setup is private to each process, so a worker never sees the web
process move the token, but it does see a new id, and ids only grow. A deleted keyword may
then linger in a worker's automaton until the next registration, which does no harm:
matches are turned into Keyword rows that still exist.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone
from django.utils.html import strip_tags

from denshiban.charts.models import Chart
from denshiban.newsroom.models import ArticlePage

from .keywords.matcher import KeywordMatcher, get_matcher
from .models import FeedEntry, FollowKind, Keyword

KEYWORDS_VERSION_KEY = "mynews:keywords-version"
BACKFILL_DAYS = 30
_ARTICLE_FIELDS = ("id", "title", "lead", "body", "first_published_at", "last_published_at")


def keywords_version() -> str:
    """Names the set of registered keywords a worker's automaton must reflect."""
    token = cache.get(KEYWORDS_VERSION_KEY)
    if token is None:
        cache.add(KEYWORDS_VERSION_KEY, uuid4().hex, timeout=None)
        token = cache.get(KEYWORDS_VERSION_KEY)
    newest = Keyword.objects.aggregate(newest=Max("pk"))["newest"]
    return f"{token}:{newest}"


def bump_keywords_version() -> None:
    """Called after a Keyword is created or deleted (and by anything that bulk-writes them)."""
    cache.set(KEYWORDS_VERSION_KEY, uuid4().hex, timeout=None)


def _all_keyword_texts() -> Iterator[str]:
    return Keyword.objects.values_list("text", flat=True).iterator(chunk_size=10_000)


def _block_texts(
    raw_blocks: Iterable[dict[str, Any]], chart_titles: dict[int, str]
) -> Iterator[str]:
    for block in raw_blocks:
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph" and isinstance(value, str):
            yield html.unescape(strip_tags(value))
        elif kind == "heading" and isinstance(value, str):
            yield value
        elif kind == "quote" and isinstance(value, dict):
            yield value.get("text") or ""
            yield value.get("attribution") or ""
        elif kind == "image" and isinstance(value, dict):
            yield value.get("caption") or ""
        elif kind == "chart" and isinstance(value, dict):
            yield chart_titles.get(value.get("chart"), "")


def _chart_ids(raw_blocks: Iterable[dict[str, Any]]) -> set[int]:
    return {
        block["value"]["chart"]
        for block in raw_blocks
        if block.get("type") == "chart"
        and isinstance(block.get("value"), dict)
        and isinstance(block["value"].get("chart"), int)
    }


def chart_titles_for(raw_bodies: Iterable[list[dict[str, Any]]]) -> dict[int, str]:
    ids: set[int] = set()
    for raw in raw_bodies:
        ids |= _chart_ids(raw)
    if not ids:
        return {}
    return dict(Chart.objects.filter(pk__in=ids).values_list("pk", "title"))


def article_text(article: ArticlePage, chart_titles: dict[int, str]) -> str:
    """What a keyword is looked for in: headline, lead and the body's text (paragraphs,
    headings, quotes, captions, chart titles), one line each."""
    parts = [article.title, article.lead, *_block_texts(article.body.raw_data, chart_titles)]
    return "\n".join(part for part in parts if part)


def _published_at(article: ArticlePage) -> datetime:
    return article.first_published_at or article.last_published_at or timezone.now()


def match_article_now(article_id: int) -> dict[str, int]:
    """Make the article's keyword feed entries agree with its text and today's keywords."""
    article = ArticlePage.objects.live().filter(pk=article_id).only(*_ARTICLE_FIELDS).first()
    if article is None:
        # Unpublished (or deleted) before the task ran: it brings nobody anything.
        removed, _ = FeedEntry.objects.filter(
            kind=FollowKind.KEYWORD, article_id=article_id
        ).delete()
        return {"matched": 0, "removed": removed}
    matcher = get_matcher(keywords_version(), _all_keyword_texts)
    found = matcher.find(article_text(article, chart_titles_for([article.body.raw_data])))
    keyword_ids = set(Keyword.objects.filter(text__in=found).values_list("pk", flat=True))
    with transaction.atomic():
        removed, _ = (
            FeedEntry.objects.filter(kind=FollowKind.KEYWORD, article_id=article.pk)
            .exclude(target_id__in=keyword_ids)
            .delete()
        )
        FeedEntry.objects.bulk_create(
            [
                FeedEntry(
                    kind=FollowKind.KEYWORD,
                    target_id=keyword_id,
                    article_id=article.pk,
                    published_at=_published_at(article),
                )
                for keyword_id in keyword_ids
            ],
            ignore_conflicts=True,
        )
    return {"matched": len(keyword_ids), "removed": removed}


def backfill_keyword_now(keyword_id: int, *, days: int = BACKFILL_DAYS) -> dict[str, int]:
    """Write the keyword's entries for the live articles of the last `days` days."""
    keyword = Keyword.objects.filter(pk=keyword_id).first()
    if keyword is None:
        return {"matched": 0, "checked": 0}
    matcher = KeywordMatcher([keyword.text])
    since = timezone.now() - timedelta(days=days)
    articles = (
        ArticlePage.objects.live()
        .filter(first_published_at__gte=since)
        .only(*_ARTICLE_FIELDS)
        .order_by("-first_published_at")
    )
    checked = 0
    entries: list[FeedEntry] = []
    for chunk in _chunks(articles.iterator(chunk_size=200), 200):
        titles = chart_titles_for(article.body.raw_data for article in chunk)
        for article in chunk:
            checked += 1
            if matcher.find(article_text(article, titles)):
                entries.append(
                    FeedEntry(
                        kind=FollowKind.KEYWORD,
                        target_id=keyword.pk,
                        article_id=article.pk,
                        published_at=_published_at(article),
                    )
                )
    if Keyword.objects.filter(pk=keyword_id).exists():
        FeedEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return {"matched": len(entries), "checked": checked}


def _chunks(items: Iterator[ArticlePage], size: int) -> Iterator[list[ArticlePage]]:
    chunk: list[ArticlePage] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@task
def match_article(article_id: int) -> dict[str, int]:
    """Match a published or updated article against every registered keyword."""
    return match_article_now(article_id)


@task
def backfill_keyword(keyword_id: int) -> dict[str, int]:
    """Match a newly registered keyword against the last 30 days of articles."""
    return backfill_keyword_now(keyword_id)
