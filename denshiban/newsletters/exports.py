"""The subscriber list as CSV, streamed so memory stays flat whatever the list's length.

Wagtail's own listing export loads every row into the listing's result (it counts the
unpaginated list with len()), so the subscriber list streams its CSV here instead: plain
values read in chunks, each chunk's lists read in one query.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import batched

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Newsletter, Subscriber, SubscriberStatus

CHUNK = 2000
LIST_SEPARATOR = "／"
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def headings() -> list[str]:
    return [
        _("メールアドレス"),
        _("状態"),
        _("購読リスト"),
        _("登録した記事"),
        _("同意日時"),
        _("確認日時"),
        _("同意文言"),
    ]


def cell(value: str) -> str:
    """The value as a spreadsheet shows it as text, never as a formula."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def subscriber_rows(subscribers: QuerySet[Subscriber]) -> Iterator[list[str]]:
    """One row per subscriber of the (filtered, searched) queryset, in its order."""
    names = dict(Newsletter.objects.values_list("pk", "name"))
    labels = dict(SubscriberStatus.choices)
    rows = subscribers.values_list(
        "pk",
        "email",
        "status",
        "source_article__title",
        "consented_at",
        "confirmed_at",
        "consent_text",
    ).iterator(chunk_size=CHUNK)
    memberships = Subscriber.lists.through.objects
    for chunk in batched(rows, CHUNK):
        lists: dict[int, list[str]] = defaultdict(list)
        on_lists = (
            memberships.filter(subscriber_id__in=[row[0] for row in chunk])
            .order_by("newsletter_id")
            .values_list("subscriber_id", "newsletter_id")
        )
        for subscriber_id, newsletter_id in on_lists:
            lists[subscriber_id].append(names.get(newsletter_id, ""))
        for pk, email, status, article, consented_at, confirmed_at, consent in chunk:
            yield [
                cell(value)
                for value in (
                    email,
                    str(labels.get(status, status)),
                    LIST_SEPARATOR.join(lists[pk]),
                    article or "",
                    _when(consented_at),
                    _when(confirmed_at),
                    consent,
                )
            ]


class _Line:
    """A file-like target for csv.writer that hands each written line back."""

    def write(self, value: str) -> str:
        return value


def stream_csv(subscribers: QuerySet[Subscriber]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    # The byte order mark lets spreadsheet programs read the Japanese text as UTF-8.
    yield "\ufeff".encode()
    yield writer.writerow(headings()).encode()
    for row in subscriber_rows(subscribers):
        yield writer.writerow(row).encode()


def subscribers_csv_response(subscribers: QuerySet[Subscriber]) -> StreamingHttpResponse:
    filename = f"subscribers-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(stream_csv(subscribers), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
