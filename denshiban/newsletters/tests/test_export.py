"""The subscriber list as CSV: what the filters and search show, safe to open, only for viewers."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from denshiban.accounts.tests.factories import UserFactory
from denshiban.core.dates import JST
from denshiban.newsletters import exports
from denshiban.newsletters.models import Newsletter, Subscriber, SubscriberStatus

pytestmark = pytest.mark.django_db

LIST_URL = reverse("wagtailsnippets_newsletters_subscriber:list")
CONSENT = "ニュースレターの配信に同意します。"


@pytest.fixture
def lists(db):
    return [
        Newsletter.objects.create(name="朝刊ニュースレター", slug="morning"),
        Newsletter.objects.create(name="経済ニュースレター", slug="economy"),
        Newsletter.objects.create(name="テック", slug="tech"),
    ]


def subscriber(email: str, *on: Newsletter, **fields) -> Subscriber:
    values = {
        "status": SubscriberStatus.CONFIRMED,
        "consent_text": CONSENT,
        "consented_at": datetime(2026, 5, 1, 7, 30, tzinfo=JST),
        "confirmed_at": datetime(2026, 5, 1, 7, 45, tzinfo=JST),
    }
    values.update(fields)
    made = Subscriber.objects.create(email=email, **values)
    made.lists.add(*on)
    return made


@pytest.fixture
def people(lists, site, article):
    morning, economy, tech = lists
    return {
        "both": subscriber("both@example.jp", morning, economy, source_article=article),
        "morning": subscriber("morning@example.jp", morning),
        "tech": subscriber(
            "tech@example.jp", tech, status=SubscriberStatus.PENDING, confirmed_at=None
        ),
        "none": subscriber("left@example.jp", status=SubscriberStatus.UNSUBSCRIBED),
    }


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))


def download(client, **params) -> list[list[str]]:
    response = client.get(LIST_URL, {"export": "csv", **params})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_has_every_column_for_every_subscriber(client, editor, people, article):
    rows = download(client)
    assert rows[0] == [
        "メールアドレス",
        "状態",
        "購読リスト",
        "登録した記事",
        "同意日時",
        "確認日時",
        "同意文言",
    ]
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {
        "both@example.jp",
        "morning@example.jp",
        "tech@example.jp",
        "left@example.jp",
    }
    assert by_email["both@example.jp"] == [
        "both@example.jp",
        "登録済み",
        "朝刊ニュースレター／経済ニュースレター",
        article.title,
        "2026-05-01 07:30:00",
        "2026-05-01 07:45:00",
        CONSENT,
    ]
    assert by_email["tech@example.jp"][1:3] == ["確認待ち", "テック"]
    assert by_email["tech@example.jp"][5] == ""
    assert by_email["left@example.jp"][1:3] == ["配信停止", ""]


def test_csv_follows_the_list_filter(client, editor, people, lists):
    morning, economy, tech = lists
    rows = download(client, lists=economy.pk)
    assert [row[0] for row in rows[1:]] == ["both@example.jp"]
    rows = download(client, lists=morning.pk)
    assert sorted(row[0] for row in rows[1:]) == ["both@example.jp", "morning@example.jp"]
    rows = download(client, lists=tech.pk)
    assert [row[0] for row in rows[1:]] == ["tech@example.jp"]


def test_csv_follows_the_search_and_the_status_filter(client, editor, people, lists):
    assert [row[0] for row in download(client, q="morning")[1:]] == ["morning@example.jp"]
    rows = download(client, status=SubscriberStatus.CONFIRMED, lists=lists[0].pk)
    assert sorted(row[0] for row in rows[1:]) == ["both@example.jp", "morning@example.jp"]


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(client, editor, lists):
    subscriber("=cmd@example.jp", lists[0], consent_text="+SUM(A1:A2)")
    subscriber("-1@example.jp", lists[0], consent_text="@attack")
    Newsletter.objects.filter(pk=lists[0].pk).update(name='=HYPERLINK("http://x")')
    rows = {row[0]: row for row in download(client)[1:]}
    assert set(rows) == {"'=cmd@example.jp", "'-1@example.jp"}
    assert rows["'=cmd@example.jp"][6] == "'+SUM(A1:A2)"
    assert rows["'-1@example.jp"][6] == "'@attack"
    assert rows["'-1@example.jp"][2] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("普通の文", "普通の文"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cell(value, expected):
    assert exports.cell(value) == expected


def test_the_list_offers_the_csv_of_what_it_shows(client, editor, people, lists):
    html = client.get(LIST_URL, {"q": "morning"}).content.decode()
    assert "CSVをダウンロード" in html
    assert "export=csv" in html and "q=morning" in html
    assert "Download XLSX" not in html


def test_only_users_who_may_view_subscribers_can_export(client, people):
    staff = UserFactory(is_staff=True)
    group = Group.objects.create(name="編集者(購読者なし)")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    staff.groups.add(group)
    client.force_login(staff)
    response = client.get(LIST_URL, {"export": "csv"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")

    group.permissions.add(Permission.objects.get(codename="view_subscriber"))
    rows = download(client)
    assert len(rows) == 1 + 4


def test_guests_cannot_export(client, people):
    response = client.get(LIST_URL, {"export": "csv"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_rows_are_read_in_chunks_with_one_list_query_per_chunk(lists, monkeypatch):
    """Memory stays flat: the rows come in chunks, never all at once."""
    monkeypatch.setattr(exports, "CHUNK", 3)
    for n in range(10):
        subscriber(f"reader{n}@example.jp", lists[n % 3])
    with CaptureQueriesContext(connection) as queries:
        rows = list(exports.subscriber_rows(Subscriber.objects.order_by("pk")))
    assert [row[0] for row in rows] == [f"reader{n}@example.jp" for n in range(10)]
    assert [row[2] for row in rows[:3]] == ["朝刊ニュースレター", "経済ニュースレター", "テック"]
    list_queries = [q for q in queries if "newsletters_subscriber_lists" in q["sql"]]
    assert len(list_queries) == 4  # ceil(10 / 3)
    assert len(queries) == 1 + 1 + 4  # newsletter names, the rows, the lists of each chunk


def test_export_streams_a_long_list(client, editor, lists):
    now = datetime(2026, 5, 1, tzinfo=JST)
    made = Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.jp", consent_text="同意", consented_at=now)
        for n in range(2500)
    )
    lists[0].subscribers.add(*made)
    response = client.get(LIST_URL, {"export": "csv"})
    chunks = iter(response.streaming_content)
    head = next(chunks) + next(chunks)
    assert head.decode("utf-8-sig").startswith("メールアドレス,")
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 2500
    assert all(row[2] == "朝刊ニュースレター" for row in rows)


def _peak_while_streaming(subscribers) -> int:
    tracemalloc.start()
    try:
        for _line in exports.stream_csv(subscribers):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_list_grows(lists, monkeypatch):
    """Four times the subscribers, about the same peak: nothing holds the whole list."""
    monkeypatch.setattr(exports, "CHUNK", 500)
    now = datetime(2026, 5, 1, tzinfo=JST)
    peaks = []
    made = 0
    for size in (2000, 8000):
        people = Subscriber.objects.bulk_create(
            Subscriber(email=f"r{n}@example.jp", consent_text=CONSENT, consented_at=now)
            for n in range(made, size)
        )
        Subscriber.lists.through.objects.bulk_create(
            Subscriber.lists.through(subscriber_id=person.pk, newsletter_id=lists[0].pk)
            for person in people
        )
        made = size
        peaks.append(_peak_while_streaming(Subscriber.objects.all()))
    small, large = peaks
    assert large < small * 1.5, peaks


def test_a_subscribers_page_shows_japan_time(client, editor, people):
    inspect = reverse("wagtailsnippets_newsletters_subscriber:inspect", args=[people["both"].pk])
    html = client.get(inspect).content.decode()
    assert "2026年5月1日 7:30" in html and "2026年5月1日 7:45" in html
