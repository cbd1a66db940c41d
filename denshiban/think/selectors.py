"""Reads for Think!, each in a fixed number of queries whatever the number of comments.

Guests get `think_summary` (how many comments, who wrote them), which never loads a
comment's text; members get `comments_for_member`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import Comment, Expert, HelpfulMark

EXPERT_PAGE_SIZE = 20


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
    """Every visible comment with its expert, photo, 参考になった count and this member's mark."""
    queryset = (
        Comment.objects.visible()
        .filter(article_id=article_id)
        .select_related("expert", "expert__photo")
        .prefetch_related("expert__photo__renditions")
        .annotate(
            helpful_count=_helpful_count(),
            marked_by_me=Exists(HelpfulMark.objects.filter(comment=OuterRef("pk"), user=user)),
        )
    )
    if sort == Sort.NEWEST:
        queryset = queryset.order_by("-created_at", "-pk")
    else:
        queryset = queryset.order_by("-helpful_count", "-created_at", "-pk")
    return list(queryset)


def expert_for(user: Any) -> Expert | None:
    """The profile an expert's account posts under, if editors have linked one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(user_id=user.pk).first()


def comment_counts(article_ids: Iterable[int]) -> dict[int, int]:
    """Visible comments per article, for the counts beside headlines: one query per list."""
    ids = {int(pk) for pk in article_ids if pk is not None}
    if not ids:
        return {}
    rows = (
        Comment.objects.visible()
        .filter(article_id__in=ids)
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
    )
    return dict(rows)


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
