"""FeedEntry upkeep: which followable things each live article belongs to.

An article's topics, series, companies and industries (its own and its companies', as the
industry page shows them) each get one entry, dated by the article's first publication.
Publishing or republishing rewrites these four kinds for the article; unpublishing removes
every entry of the article, keyword and expert entries included (the keyword task writes
them again when the article comes back). Deleting the article deletes its entries with it.

Experts' entries follow their visible comments (`sync_expert_entries`, run when a comment
is saved or deleted and when the article is published again).

`sync_entries` works on any number of articles with a fixed number of queries, so the
publish signal and `manage.py rebuild_feed` share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from denshiban.newsroom.models import ArticlePage

from .models import FeedEntry, FollowKind

ARTICLE_KINDS = (FollowKind.TOPIC, FollowKind.SERIES, FollowKind.COMPANY, FollowKind.INDUSTRY)

Target = tuple[str, int]


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: int
    deleted: int


def wanted_entries(article_ids: Iterable[int]) -> dict[int, tuple[datetime, set[Target]]]:
    """For each live article among `article_ids`: its publication time and targets (4 queries)."""
    live = {
        pk: (published, series_id)
        for pk, published, series_id in ArticlePage.objects.live()
        .filter(pk__in=list(article_ids), first_published_at__isnull=False)
        .values_list("pk", "first_published_at", "series_id")
    }
    targets: dict[int, set[Target]] = {pk: set() for pk in live}
    for pk, (_published, series_id) in live.items():
        if series_id is not None:
            targets[pk].add((FollowKind.SERIES, series_id))
    ids = list(live)
    for pk, topic_id in ArticlePage.topics.through.objects.filter(
        articlepage_id__in=ids
    ).values_list("articlepage_id", "topic_id"):
        targets[pk].add((FollowKind.TOPIC, topic_id))
    for pk, company_id, industry_id in ArticlePage.companies.through.objects.filter(
        articlepage_id__in=ids
    ).values_list("articlepage_id", "company_id", "company__industry_id"):
        targets[pk].add((FollowKind.COMPANY, company_id))
        if industry_id is not None:
            targets[pk].add((FollowKind.INDUSTRY, industry_id))
    for pk, industry_id in ArticlePage.industries.through.objects.filter(
        articlepage_id__in=ids
    ).values_list("articlepage_id", "industry_id"):
        targets[pk].add((FollowKind.INDUSTRY, industry_id))
    return {pk: (live[pk][0], targets[pk]) for pk in live}


@transaction.atomic
def sync_entries(article_ids: Iterable[int]) -> SyncResult:
    """Make the entries of `article_ids` match their relations; idempotent."""
    ids = set(article_ids)
    if not ids:
        return SyncResult(created=0, deleted=0)
    wanted = wanted_entries(ids)
    gone = ids - wanted.keys()
    deleted = 0
    if gone:
        # Unpublished (or never live): nothing of theirs belongs in anyone's Myニュース.
        deleted += FeedEntry.objects.filter(article_id__in=gone).delete()[0]
    stale: list[int] = []
    have: set[tuple[int, str, int]] = set()
    for pk, article_id, kind, target_id, published_at in FeedEntry.objects.filter(
        article_id__in=wanted.keys(), kind__in=ARTICLE_KINDS
    ).values_list("pk", "article_id", "kind", "target_id", "published_at"):
        published, targets = wanted[article_id]
        if (kind, target_id) in targets and published_at == published:
            have.add((article_id, kind, target_id))
        else:
            stale.append(pk)
    if stale:
        deleted += FeedEntry.objects.filter(pk__in=stale).delete()[0]
    new = [
        FeedEntry(kind=kind, target_id=target_id, article_id=article_id, published_at=published)
        for article_id, (published, targets) in wanted.items()
        for kind, target_id in targets
        if (article_id, kind, target_id) not in have
    ]
    FeedEntry.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return SyncResult(created=len(new), deleted=deleted)


@transaction.atomic
def sync_expert_entries(article_ids: Iterable[int]) -> SyncResult:
    """An expert's followers get every live article the expert comments on.

    One entry per (expert, article) while a visible comment exists, dated by the expert's
    newest visible comment there, so a comment on an older article still comes in new.
    """
    from denshiban.think.models import Comment

    ids = set(article_ids)
    if not ids:
        return SyncResult(created=0, deleted=0)
    wanted: dict[tuple[int, int], datetime] = {}
    for expert_id, article_id, created_at in (
        Comment.objects.visible()
        .filter(article_id__in=ids, article__live=True)
        .values_list("expert_id", "article_id", "created_at")
    ):
        key = (expert_id, article_id)
        if key not in wanted or created_at > wanted[key]:
            wanted[key] = created_at
    stale: list[int] = []
    have: set[tuple[int, int]] = set()
    for pk, expert_id, article_id, published_at in FeedEntry.objects.filter(
        article_id__in=ids, kind=FollowKind.EXPERT
    ).values_list("pk", "target_id", "article_id", "published_at"):
        if wanted.get((expert_id, article_id)) == published_at:
            have.add((expert_id, article_id))
        else:
            stale.append(pk)
    deleted = FeedEntry.objects.filter(pk__in=stale).delete()[0] if stale else 0
    new = [
        FeedEntry(
            kind=FollowKind.EXPERT, target_id=expert_id, article_id=article_id, published_at=at
        )
        for (expert_id, article_id), at in wanted.items()
        if (expert_id, article_id) not in have
    ]
    FeedEntry.objects.bulk_create(new, ignore_conflicts=True)
    return SyncResult(created=len(new), deleted=deleted)


def remove_entries(article_id: int) -> int:
    """The article left the site: every entry of it goes, whatever wrote it."""
    return FeedEntry.objects.filter(article_id=article_id).delete()[0]


def rebuild(*, chunk_size: int = 1000) -> SyncResult:
    """Entries for every live article, and none for any other; safe to run any time.

    Works through the articles by id in chunks, each in its own transaction.
    """
    created = deleted = 0
    last = 0
    while True:
        chunk = list(
            ArticlePage.objects.live()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not chunk:
            break
        for result in (sync_entries(chunk), sync_expert_entries(chunk)):
            created, deleted = created + result.created, deleted + result.deleted
        last = chunk[-1]
    live = ArticlePage.objects.live().values("pk")
    deleted += FeedEntry.objects.exclude(article_id__in=live).delete()[0]
    return SyncResult(created=created, deleted=deleted)
