"""Writes of the reading policy: opening an article counts a free member's allowance."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import MeteredRead
from .policy import Decision, can_read
from .readers import as_reader
from .reading import Reading

if TYPE_CHECKING:
    from denshiban.newsroom.models import ArticlePage


def open_article(*, reader: Any, article: ArticlePage, now: datetime | None = None) -> Reading:
    """Decide what `reader` gets of `article` and record a read on the monthly allowance.

    Most openings write nothing: only a free member's first read of a paid article this
    month does, and only that case takes a lock.
    """
    now = now or timezone.now()
    decision = can_read(reader, article, now=now)
    if decision.counts_new_read:
        decision = _count_read(reader=reader, article=article, now=now)
    return Reading(article=article, decision=decision)


def _count_read(*, reader: Any, article: ArticlePage, now: datetime) -> Decision:
    """Record the read under a per-reader lock, deciding again once the lock is held.

    Two requests for different articles, each seeing one article left before either has
    written, must not both get it: the member's row is locked (PostgreSQL) or the write
    transaction is exclusive (SQLite's IMMEDIATE mode), and the count is taken again
    inside. Two requests for the same article meet the unique constraint instead.
    """
    user = as_reader(reader).user
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        decision = can_read(reader, article, now=now)
        if decision.counts_new_read:
            MeteredRead.objects.get_or_create(
                user_id=user.pk, article_id=article.pk, month=selectors.month_of(now)
            )
    return decision
