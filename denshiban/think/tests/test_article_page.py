"""Think! on cached and uncached reader pages: what guests get, and what it costs in queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from denshiban.access.tests.factories import make_user, sign_in
from denshiban.newsroom.models import AccessLevel, HomePage, HomeTopStory
from denshiban.newsroom.tests.factories import add_article, add_section
from denshiban.think import selectors as think_selectors
from denshiban.think import services

from .factories import COMMENT_TEXT, CommentFactory, ExpertFactory

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)


def test_page_warmed_by_a_member_gives_guests_no_comment_text(client, site, article, expert):
    CommentFactory(article=article, expert=expert)
    member = Client()
    sign_in(member, "active", site=site)
    assert COMMENT_TEXT in _get(member, article.url).content.decode()

    first = _get(client, article.url)
    again = _get(client, article.url)
    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    for response in (first, again):
        html = response.content.decode()
        assert "コメント 1件" in html and "佐久間玲子" in html
        assert COMMENT_TEXT not in html
    # The member still reads the comments, not the guests' stored page.
    member_again = _get(member, article.url)
    assert "X-Page-Cache" not in member_again
    assert COMMENT_TEXT in member_again.content.decode()


def test_a_new_or_hidden_comment_reaches_cached_guest_pages(
    client, article, expert, django_capture_on_commit_callbacks
):
    listing = article.section.public_path
    CommentFactory(article=article, expert=expert)
    assert "コメント 1件" in _get(client, article.url).content.decode()
    assert "Think!</span> 1" in _get(client, listing).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.post_comment(
            user=expert.user, article=article, kind="brief", text=COMMENT_TEXT + "追加"
        )
    page = _get(client, article.url)
    assert page["X-Page-Cache"] == "miss"
    assert "コメント 2件" in page.content.decode()
    assert "Think!</span> 2" in _get(client, listing).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.hide_comment(comment=comment, editor=make_user("editor"), reason="重複投稿")
    assert "コメント 1件" in _get(client, article.url).content.decode()


def _photo():
    return get_image_model().objects.create(title="顔写真", file=get_test_image_file())


def _comment_by_new_expert(article, number):
    CommentFactory(
        article=article,
        expert=ExpertFactory(photo=_photo()),
        text=f"{COMMENT_TEXT}{number}",
    )


@pytest.mark.parametrize("role", ["guest", "free_member", "active", "expert"])
def test_think_block_costs_the_same_queries_for_1_or_20_comments(
    client, site, settings, django_assert_num_queries, role
):
    settings.GUEST_PAGE_CACHE = False
    article = add_article(
        index=site["index"], section=site["section"], access_level=AccessLevel.FREE
    )
    _comment_by_new_expert(article, 0)
    sign_in(client, role, site=site)
    _get(client, article.url)  # renditions are made on the first view
    one = _queries(client, article.url)

    for number in range(1, 20):
        _comment_by_new_expert(article, number)
    html = _get(client, article.url).content.decode()
    assert "コメント 20件" in html
    with django_assert_num_queries(one):
        _get(client, article.url)


def test_section_list_shows_counts_for_a_fixed_number_of_queries(
    client, site, settings, django_assert_num_queries
):
    settings.GUEST_PAGE_CACHE = False
    section = add_section(home=site["home"], title="国際", slug="international", position=2)

    def add_commented(count):
        article = add_article(index=site["index"], section=section, title=f"記事{count}")
        for _ in range(count):
            CommentFactory(article=article)
        return article

    add_commented(2)
    html = _get(client, "/international/").content.decode()  # navigation cached from here on
    think_selectors.forget_cached()  # counts read from the database, not the shared cache
    few = _queries(client, "/international/")
    assert '<span class="think-count__label">Think!</span> 2</span>' in html

    for count in range(1, 12):
        add_commented(count)
    add_article(index=site["index"], section=section, title="コメントなし")
    think_selectors.forget_cached()
    with django_assert_num_queries(few):
        html = _get(client, "/international/").content.decode()
    assert html.count('class="think-count"') == 12


def test_home_top_stories_show_counts_in_one_query(
    client, site, settings, django_assert_max_num_queries
):
    settings.GUEST_PAGE_CACHE = False
    home = HomePage.objects.get()
    stories = []
    for number in range(5):
        story = add_article(index=site["index"], section=site["section"], title=f"トップ{number}")
        CommentFactory.create_batch(number + 1, article=story)
        HomeTopStory.objects.create(home=home, article=story, sort_order=number)
        stories.append(story)

    with CaptureQueriesContext(connection) as captured:
        html = _get(client, "/").content.decode()
    counting = [q for q in captured.captured_queries if "think_comment" in q["sql"]]
    # The top stories (one list) and the section block (another): one query each.
    assert len(counting) <= 2
    for number in range(5):
        assert f'<span class="think-count__label">Think!</span> {number + 1}</span>' in html
