"""Reads the reading policy needs: the month in Japan time, metered reads, unlock grants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from denshiban.core.dates import to_jst

from .models import MeteredRead, UnlockGrant


def month_of(moment: datetime) -> date:
    """The first day of the calendar month in Japan time: the month turns at 00:00 JST."""
    return to_jst(moment).date().replace(day=1)


def metered_article_ids(user: Any, month: date) -> list[int]:
    """The paid articles a free member has opened on this month's allowance."""
    return list(
        MeteredRead.objects.filter(user=user, month=month).values_list("article_id", flat=True)
    )


def has_valid_grant(grant_ids: Iterable[int], article_id: int, now: datetime) -> bool:
    """Whether one of the browser's grants opens this article and has not expired."""
    ids = list(grant_ids)
    if not ids:
        return False
    return (
        UnlockGrant.objects.filter(pk__in=ids, article_id=article_id)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exists()
    )
