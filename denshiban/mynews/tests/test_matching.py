"""Keyword matching end to end: publishing queues match_article, registering queues the
backfill, entries follow edits, and a real worker process runs both tasks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from denshiban.access.tests.factories import build_site_after_flush, make_user, sign_in
from denshiban.charts.tests.factories import ChartFactory
from denshiban.mynews import tasks
from denshiban.mynews.models import FeedEntry, FollowKind, Keyword
from denshiban.mynews.registrations import register_keyword, remove_keyword
from denshiban.newsroom.tests.factories import add_article, paragraph


def keyword_articles(keyword_text: str) -> set[int]:
    keyword = Keyword.objects.get(text=keyword_text)
    return set(
        FeedEntry.objects.filter(kind=FollowKind.KEYWORD, target_id=keyword.pk).values_list(
            "article_id", flat=True
        )
    )


def publish(site: dict[str, Any], capture, **fields: Any):
    """An article written as a draft, then published through Wagtail (page_published)."""
    article = add_article(index=site["index"], section=site["section"], live=False, **fields)
    with capture(execute=True):
        article.save_revision().publish()
    article.refresh_from_db()
    return article


@pytest.fixture
def member(db):
    return make_user("active")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def register(member, capture):
    def register(word: str, user: Any = None):
        with capture(execute=True):
            return register_keyword(user=user or member, raw=word)

    return register


# The boundary cases: (keyword, text, matches?).
CASES = [
    ("日米", "日米同盟の強化を確認した。", True),
    ("中国", "中国の景気は持ち直している。", True),
    ("USスチール", "ＵＳスチールの買収が決まった。", True),
    ("ロシ", "ロシアが声明を出した。", False),
    ("sea", "ASEAN首脳会議が開かれた。", False),
    ("asean", "ASEAN首脳会議が開かれた。", True),
]


@pytest.mark.parametrize(("word", "text", "matches"), CASES)
def test_publishing_an_article_brings_it_to_members_with_a_matching_keyword(
    site, register, capture, word, text, matches
):
    register(word)

    article = publish(site, capture, title="きょうのニュース", body=[paragraph(text)])

    normalized = Keyword.objects.get().text
    assert (article.pk in keyword_articles(normalized)) is matches


def test_the_member_finds_the_article_in_myニュース_labelled_with_the_keyword(
    client, site, capture
):
    member = sign_in(client, "active")
    with capture(execute=True):
        register_keyword(user=member, raw="日米")
    article = publish(
        site, capture, title="首脳会談の成果", body=[paragraph("日米同盟の強化で一致した。")]
    )

    html = client.get("/mynews/").content.decode()

    item = html.split(article.title, 1)[0].rsplit('class="article-item mynews-item"', 1)[1]
    assert "キーワード「日米」" in item


def test_headline_lead_headings_quotes_captions_and_chart_titles_are_searched(
    site, register, capture
):
    words = ["見出し語", "リード語", "小見出し語", "引用語", "発言者語", "図表語"]
    for word in words:
        register(word)
    chart = ChartFactory(title="図表語の推移")
    body = [
        ("heading", "小見出し語について"),
        ("quote", {"text": "引用語です", "attribution": "発言者語"}),
        ("chart", {"chart": chart}),
    ]

    article = publish(
        site, capture, title="見出し語の記事", lead="リード語が入ったリード。", body=body
    )

    assert all(article.pk in keyword_articles(word) for word in words)


def test_an_updated_article_loses_the_keywords_it_no_longer_contains(site, register, capture):
    register("日銀")
    register("利上げ")
    article = publish(
        site, capture, title="日銀、利上げを決定", lead="会合の結果。", body=[paragraph("本文。")]
    )
    assert article.pk in keyword_articles("日銀")
    assert article.pk in keyword_articles("利上げ")

    article.title = "日銀、据え置きを決定"
    with capture(execute=True):
        article.save_revision().publish()

    assert article.pk in keyword_articles("日銀")
    assert article.pk not in keyword_articles("利上げ")


def test_entries_carry_the_first_publication_time(site, register, capture):
    register("日銀")
    article = publish(site, capture, title="日銀の会合")
    entry = FeedEntry.objects.get(kind=FollowKind.KEYWORD, article=article)
    assert entry.published_at == article.first_published_at


def test_an_unpublished_article_leaves_myニュース(site, register, capture):
    register("日銀")
    article = publish(site, capture, title="日銀の会合")
    assert keyword_articles("日銀") == {article.pk}

    with capture(execute=True):
        article.unpublish()

    assert keyword_articles("日銀") == set()


def test_matching_an_article_that_is_no_longer_live_removes_its_keyword_entries(
    site, register, capture
):
    register("日銀")
    article = publish(site, capture, title="日銀の会合")
    type(article).objects.filter(pk=article.pk).update(live=False)

    assert tasks.match_article_now(article.pk) == {"matched": 0, "removed": 1}
    assert not FeedEntry.objects.filter(kind=FollowKind.KEYWORD).exists()


def test_matching_twice_changes_nothing(site, register, capture):
    register("日銀")
    article = publish(site, capture, title="日銀の会合")
    tasks.match_article_now(article.pk)
    tasks.match_article_now(article.pk)
    assert FeedEntry.objects.filter(kind=FollowKind.KEYWORD, article=article).count() == 1


def test_a_new_keyword_brings_the_last_30_days_of_articles_at_once(site, register):
    now = timezone.now()
    recent = add_article(
        index=site["index"],
        section=site["section"],
        title="半導体の投資が拡大",
        published_at=now - timedelta(days=29),
    )
    old = add_article(
        index=site["index"],
        section=site["section"],
        title="半導体の輸出規制",
        published_at=now - timedelta(days=31),
    )
    draft = add_article(
        index=site["index"], section=site["section"], title="半導体の下書き", live=False
    )
    unrelated = add_article(index=site["index"], section=site["section"], title="日銀の会合")

    register("半導体")

    found = keyword_articles("半導体")
    assert recent.pk in found
    assert old.pk not in found
    assert draft.pk not in found
    assert unrelated.pk not in found


def test_a_keyword_someone_already_has_is_not_backfilled_again(site, register, member):
    add_article(index=site["index"], section=site["section"], title="半導体の投資")
    register("半導体")
    FeedEntry.objects.all().delete()

    register("半導体", user=make_user("active"))

    assert not FeedEntry.objects.exists()


def test_removing_the_last_registration_removes_the_keywords_entries(site, register, member):
    add_article(index=site["index"], section=site["section"], title="半導体の投資")
    registered = register("半導体")
    assert FeedEntry.objects.filter(kind=FollowKind.KEYWORD).exists()

    remove_keyword(user=member, keyword_id=registered.id)

    assert not FeedEntry.objects.filter(kind=FollowKind.KEYWORD).exists()


def test_a_worker_rebuilds_its_automaton_only_when_keywords_change(site, register, capture):
    register("日銀")
    first = tasks.keywords_version()
    assert tasks.keywords_version() == first
    matcher = tasks.get_matcher(first, tasks._all_keyword_texts)
    assert tasks.get_matcher(tasks.keywords_version(), tasks._all_keyword_texts) is matcher

    register("円安")
    second = tasks.keywords_version()

    assert second != first
    rebuilt = tasks.get_matcher(second, tasks._all_keyword_texts)
    assert rebuilt is not matcher
    assert set(rebuilt.keywords) == {"日銀", "円安"}


def test_the_version_moves_when_a_keyword_is_removed_for_good(register, member, capture):
    registered = register("日銀")
    before = tasks.keywords_version()

    with capture(execute=True):
        remove_keyword(user=member, keyword_id=registered.id)

    assert tasks.keywords_version() != before


def test_without_a_shared_cache_a_new_keyword_still_moves_the_version(register, monkeypatch):
    """A worker's local cache never sees the web process's token move: the id does."""
    register("日銀")
    before = tasks.keywords_version()
    monkeypatch.setattr(tasks, "bump_keywords_version", lambda: None)
    monkeypatch.setattr("denshiban.mynews.keyword_signals.bump_keywords_version", lambda: None)

    register("円安")

    assert tasks.keywords_version() != before


# --- a real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_match_article_and_backfill_keyword(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite test database to a file for the worker")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    site = build_site_after_flush()
    member = make_user("active")
    older = add_article(index=site["index"], section=site["section"], title="半導体の投資が拡大")
    registered = register_keyword(user=member, raw="半導体")  # commits: backfill queued
    register_keyword(user=member, raw="日米")
    fresh = add_article(
        index=site["index"], section=site["section"], title="日米同盟と半導体", live=False
    )
    fresh.save_revision().publish()  # commits: match_article queued
    assert not FeedEntry.objects.exists(), "nothing ran in this process"

    database = tmp_path / "worker.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(database)])
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "SQLITE_PATH": str(database),
        "DEBUG": "0",
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment.pop("TASKS_BACKEND", None)
    worker = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--interval", "0.1"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert worker.returncode == 0, worker.stderr

    nichibei = Keyword.objects.get(text="日米").pk
    with closing(sqlite3.connect(database)) as copy:
        entries = set(
            copy.execute(
                f"SELECT target_id, article_id FROM {FeedEntry._meta.db_table} "  # noqa: S608
                "WHERE kind = ?",
                [FollowKind.KEYWORD.value],
            ).fetchall()
        )
        statuses = {
            name.rsplit(".", 1)[-1]: status
            for name, status in copy.execute(
                "SELECT task_path, status FROM django_tasks_database_dbtaskresult"
            ).fetchall()
            if name.startswith("denshiban.mynews")
        }
    assert (registered.id, older.pk) in entries  # the backfill
    assert (registered.id, fresh.pk) in entries  # match_article: both words
    assert (nichibei, fresh.pk) in entries
    assert statuses == {"backfill_keyword": "SUCCESSFUL", "match_article": "SUCCESSFUL"}
