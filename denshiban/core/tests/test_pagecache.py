"""The shared page cache keeps guests' pages only, and forgets them when pages change."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from denshiban.access.tests.factories import sign_in
from denshiban.core.pagecache import CACHE_HEADER, is_cacheable_request
from denshiban.newsroom.tests.factories import add_article, paragraph

pytestmark = pytest.mark.django_db

SECRET = "キャッシュに入ってはならない有料部分"


@pytest.fixture
def paid(site):
    return add_article(
        index=site["index"], section=site["section"], access_level="paid", body=[paragraph(SECRET)]
    )


@pytest.fixture
def free(site):
    return add_article(index=site["index"], section=site["section"], title="無料の記事")


def page(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return response


def test_guest_page_is_stored_then_served_from_the_cache(client, free, django_assert_num_queries):
    assert page(client, free.url)[CACHE_HEADER] == "miss"
    with django_assert_num_queries(0):
        hit = page(client, free.url)
    assert hit[CACHE_HEADER] == "hit"
    assert "無料の記事" in hit.content.decode()
    assert "public" in hit["Cache-Control"] and "max-age=60" in hit["Cache-Control"]


def test_paid_member_warms_nothing_a_guest_then_reads(client, paid, site):
    sign_in(client, "active")
    member_view = page(client, paid.url)
    assert SECRET in member_view.content.decode()
    assert "private" in member_view["Cache-Control"] and "no-store" in member_view["Cache-Control"]
    assert CACHE_HEADER not in member_view

    client.logout()
    guest_view = page(client, paid.url)

    assert SECRET not in guest_view.content.decode()
    assert guest_view[CACHE_HEADER] == "miss"


def test_guest_warmed_page_is_never_served_to_a_paid_member(client, paid):
    page(client, paid.url)
    assert page(client, paid.url)[CACHE_HEADER] == "hit"

    sign_in(client, "active")
    member_view = page(client, paid.url)

    assert SECRET in member_view.content.decode()
    assert CACHE_HEADER not in member_view


def test_free_members_allowance_badge_is_never_served_to_a_guest(client, free):
    sign_in(client, "free_member")
    assert "今月あと1本" in page(client, free.url).content.decode()

    client.logout()
    guest_view = page(client, free.url).content.decode()

    assert "今月あと" not in guest_view
    assert "allowance-badge" not in guest_view


def test_guest_with_unlock_grants_gets_a_private_page(client, site, paid):
    page(client, paid.url)  # a guest warms the cache with the lead
    sign_in(client, "newsletter_reader", grant_articles=[paid])

    unlocked = page(client, paid.url)

    assert SECRET in unlocked.content.decode()
    assert "private" in unlocked["Cache-Control"]
    assert CACHE_HEADER not in unlocked


def test_publishing_invalidates_stored_pages(client, free):
    page(client, free.url)
    assert page(client, free.url)[CACHE_HEADER] == "hit"

    free.title = "見出しを直した記事"
    free.save_revision().publish()

    fresh = page(client, free.url)
    assert fresh[CACHE_HEADER] == "miss"
    assert "見出しを直した記事" in fresh.content.decode()


def test_making_an_article_paid_is_seen_by_guests_at_once(client, site):
    article = add_article(index=site["index"], section=site["section"], body=[paragraph(SECRET)])
    assert SECRET in page(client, article.url).content.decode()

    article.access_level = "paid"
    article.save_revision().publish()

    assert SECRET not in page(client, article.url).content.decode()


def test_unpublishing_invalidates_stored_pages(client, free, site):
    page(client, site["section"].public_path)
    free.unpublish()
    assert "無料の記事" not in page(client, site["section"].public_path).content.decode()


def test_head_is_cached_under_its_own_key(client, free):
    assert client.head(free.url)[CACHE_HEADER] == "miss"
    assert client.head(free.url)[CACHE_HEADER] == "hit"
    get = page(client, free.url)
    assert get[CACHE_HEADER] == "miss"
    assert "無料の記事" in get.content.decode()


def test_query_strings_are_separate_keys(client, site, free):
    path = site["section"].public_path
    assert page(client, path, QUERY_STRING="page=1")[CACHE_HEADER] == "miss"
    assert page(client, path, QUERY_STRING="page=2")[CACHE_HEADER] == "miss"
    assert page(client, path, QUERY_STRING="page=1")[CACHE_HEADER] == "hit"


def test_hosts_are_separate_keys(client, free):
    page(client, free.url, HTTP_HOST="a.example.jp")
    assert page(client, free.url, HTTP_HOST="b.example.jp")[CACHE_HEADER] == "miss"


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_AUTHORIZATION": "Bearer token"},
        {"HTTP_HX_REQUEST": "true"},
    ],
)
def test_requests_with_credentials_or_from_htmx_bypass_the_cache(client, free, extra):
    page(client, free.url)
    assert CACHE_HEADER not in page(client, free.url, **extra)


def test_a_stale_session_cookie_bypasses_the_cache(client, free, settings):
    page(client, free.url)
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert CACHE_HEADER not in page(client, free.url)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/pages/3/edit/preview/",
        "/django-admin/",
        "/accounts/login/",
        "/account/",
        "/billing/subscribe/",
        "/api/v1/articles",
    ],
)
def test_admin_accounts_billing_and_api_are_never_cached(path):
    assert is_cacheable_request(RequestFactory().get(path)) is False


def test_admin_preview_is_not_cached(client, free):
    sign_in(client, "editor")
    preview = client.get(f"/admin/pages/{free.pk}/edit/preview/?mode=")
    assert CACHE_HEADER not in preview
    client.logout()
    assert page(client, free.url)[CACHE_HEADER] == "miss"


def test_posts_and_feeds_are_not_stored(client, free):
    assert CACHE_HEADER not in client.post(free.url)
    client.get("/feeds/rss/")
    assert CACHE_HEADER not in client.get("/feeds/rss/")


def test_not_found_is_not_stored(client, site):
    client.get("/article/999999/")
    assert CACHE_HEADER not in client.get("/article/999999/")


def test_cache_can_be_switched_off(client, free, settings):
    settings.GUEST_PAGE_CACHE = False
    page(client, free.url)
    assert CACHE_HEADER not in page(client, free.url)


def test_a_browser_holding_a_message_is_neither_served_nor_stored(client, free):
    page(client, free.url)
    client.cookies["messages"] = "signed-message-data"

    response = page(client, free.url)

    assert CACHE_HEADER not in response
