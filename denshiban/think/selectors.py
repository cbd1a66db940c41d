"""Reads for Think!, each in a fixed number of queries whatever the number of comments.

Guests get `think_summary` (how many comments, who wrote them), which never loads a
comment's text; members get `comments_for_member`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import Comment, Expert, HelpfulMark

EXPERT_PAGE_SIZE = 20
# Comments and their counts are kept in the shared cache under a version that every change
# of a comment, an expert or a 参考になった mark replaces (signals.py): a hidden comment
# vanishes on the next request. Members' own marks are never cached.
VERSION_KEY = "think:version"
CACHE_SECONDS = 300


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def forget_cached() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


class Sort(StrEnum):
    HELPFUL = "helpful"
    NEWEST = "new"


def parse_sort(value: Any) -> Sort:
    try:
        return Sort(value)
    except ValueError:
        return Sort.HELPFUL


@dataclass(frozen=True, slots=True)
class ExpertRef:
    """Who wrote: what a guest may see of the experts on an article."""

    name: str
    title: str
    affiliation: str
    slug: str

    @property
    def url(self) -> str:
        return reverse("experts:detail", args=[self.slug])


@dataclass(frozen=True, slots=True)
class ThinkSummary:
    count: int
    experts: list[ExpertRef]


def think_summary(article_id: int) -> ThinkSummary:
    """How many comments an article has and who wrote them, first comment first."""
    rows = (
        Comment.objects.visible()
        .filter(article_id=article_id)
        .order_by("created_at", "pk")
        .values_list(
            "expert_id", "expert__name", "expert__title", "expert__affiliation", "expert__slug"
        )
    )
    experts: dict[int, ExpertRef] = {}
    count = 0
    for expert_id, name, title, affiliation, slug in rows:
        count += 1
        experts.setdefault(
            expert_id, ExpertRef(name=name, title=title, affiliation=affiliation, slug=slug)
        )
    return ThinkSummary(count=count, experts=list(experts.values()))


def _helpful_count() -> Coalesce:
    marks = (
        HelpfulMark.objects.filter(comment=OuterRef("pk"))
        .order_by()
        .values("comment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(marks, output_field=IntegerField()), Value(0))


def comments_for_member(*, article_id: int, user: Any, sort: Sort) -> list[Comment]:
    """Every visible comment with its expert, photo, 参考になった count and this member's mark.

    The comments come from the shared cache when unchanged (one query to fill it); this
    member's marks cost one query, and only when the article has comments.
    """
    key = f"think:comments:{_version()}:{article_id}"
    comments: list[Comment] | None = cache.get(key)
    if comments is None:
        comments = list(
            Comment.objects.visible()
            .filter(article_id=article_id)
            .select_related("expert", "expert__photo")
            .annotate(helpful_count=_helpful_count())
        )
        cache.set(key, comments, CACHE_SECONDS)
    # Renditions are read fresh (one query for every photo): they are made on first view.
    photos = [comment.expert.photo for comment in comments if comment.expert.photo_id]
    if photos:
        prefetch_related_objects(photos, "renditions")
    if comments and user is not None and getattr(user, "is_authenticated", False):
        marked = set(
            HelpfulMark.objects.filter(
                user_id=user.pk, comment_id__in=[comment.pk for comment in comments]
            ).values_list("comment_id", flat=True)
        )
    else:
        marked = set()
    for comment in comments:
        comment.marked_by_me = comment.pk in marked
    if sort == Sort.NEWEST:
        comments.sort(key=lambda c: (c.created_at, c.pk), reverse=True)
    else:
        comments.sort(key=lambda c: (c.helpful_count, c.created_at, c.pk), reverse=True)
    return comments


def expert_for(user: Any) -> Expert | None:
    """The profile an expert's account posts under, if editors have linked one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(user_id=user.pk).first()


def comment_counts(article_ids: Iterable[int]) -> dict[int, int]:
    """Visible comments per article, for the counts beside headlines: one query per list
    at most, none when the shared cache holds every count."""
    ids = {int(pk) for pk in article_ids if pk is not None}
    if not ids:
        return {}
    version = _version()
    keys = {f"think:count:{version}:{pk}": pk for pk in ids}
    cached = cache.get_many(keys)
    counts = {keys[key]: n for key, n in cached.items()}
    missing = ids - counts.keys()
    if missing:
        rows = dict(
            Comment.objects.visible()
            .filter(article_id__in=missing)
            .order_by()
            .values("article_id")
            .annotate(n=Count("pk"))
            .values_list("article_id", "n")
        )
        fresh = {pk: rows.get(pk, 0) for pk in missing}
        cache.set_many({f"think:count:{version}:{pk}": n for pk, n in fresh.items()}, CACHE_SECONDS)
        counts.update(fresh)
    return {pk: n for pk, n in counts.items() if n}


def expert_by_slug(slug: str) -> Expert | None:
    return (
        Expert.objects.select_related("photo")
        .prefetch_related("photo__renditions")
        .filter(slug=slug)
        .first()
    )


def _on_live_articles(expert: Expert) -> QuerySet[Comment]:
    return (
        Comment.objects.visible()
        .filter(expert=expert, article__live=True)
        .annotate(article_title=F("article__title"))
        .order_by("-created_at", "-pk")
    )


def expert_comments(*, expert: Expert, page: Any, with_text: bool) -> PaginatorPage:
    """The expert's comments, newest first; without their text unless the reader may read it."""
    queryset = _on_live_articles(expert)
    if with_text:
        queryset = queryset.annotate(helpful_count=_helpful_count())
    else:
        queryset = queryset.only("pk", "kind", "created_at", "edited_at", "article_id", "expert_id")
    return Paginator(queryset, EXPERT_PAGE_SIZE).get_page(page)


def visible_comment(comment_id: int) -> Comment | None:
    return (
        Comment.objects.visible()
        .select_related("expert")
        .filter(pk=comment_id, article__live=True)
        .first()
    )
