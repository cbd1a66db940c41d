import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from denshiban.access.tests.factories import make_user
from denshiban.think import selectors
from denshiban.think.models import HelpfulMark

from .factories import CommentFactory, ExpertFactory

pytestmark = pytest.mark.django_db


def test_summary_counts_visible_comments_and_names_each_expert_once(article, expert):
    other = ExpertFactory(name="大江誠")
    CommentFactory(article=article, expert=expert)
    CommentFactory(article=article, expert=other)
    CommentFactory(article=article, expert=expert)
    CommentFactory(article=article, expert=other, hidden_at=timezone.now())

    summary = selectors.think_summary(article.pk)
    assert summary.count == 3
    assert [e.name for e in summary.experts] == ["佐久間玲子", "大江誠"]


def test_summary_never_reads_a_comments_text(article, expert):
    CommentFactory(article=article, expert=expert)
    with CaptureQueriesContext(connection) as captured:
        selectors.think_summary(article.pk)
    (query,) = captured.captured_queries
    assert '"think_comment"."text"' not in query["sql"]


def test_expert_page_for_guests_never_reads_a_comments_text(article, expert):
    CommentFactory(article=article, expert=expert)
    with CaptureQueriesContext(connection) as captured:
        page = selectors.expert_comments(expert=expert, page=1, with_text=False)
        list(page.object_list)
    assert all('"think_comment"."text"' not in q["sql"] for q in captured.captured_queries)


def test_comments_for_member_know_counts_and_own_marks(article, expert):
    first = CommentFactory(article=article, expert=expert)
    second = CommentFactory(article=article, expert=expert)
    member, other = make_user("free_member"), make_user("active")
    HelpfulMark.objects.create(comment=second, user=member)
    HelpfulMark.objects.create(comment=second, user=other)
    HelpfulMark.objects.create(comment=first, user=other)

    comments = selectors.comments_for_member(
        article_id=article.pk, user=member, sort=selectors.Sort.HELPFUL
    )
    assert [(c.pk, c.helpful_count, c.marked_by_me) for c in comments] == [
        (second.pk, 2, True),
        (first.pk, 1, False),
    ]


def test_comment_counts_for_a_list_in_one_query(site, article, expert):
    from denshiban.newsroom.tests.factories import add_article

    other = add_article(index=site["index"], section=site["section"])
    CommentFactory.create_batch(3, article=article, expert=expert)
    CommentFactory(article=other, expert=expert, hidden_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.comment_counts([article.pk, other.pk])
    assert counts == {article.pk: 3}
    assert len(captured.captured_queries) == 1
    assert selectors.comment_counts([]) == {}


def test_unknown_sort_falls_back_to_helpful():
    assert selectors.parse_sort("new") == selectors.Sort.NEWEST
    assert selectors.parse_sort("<script>") == selectors.Sort.HELPFUL
    assert selectors.parse_sort(None) == selectors.Sort.HELPFUL
