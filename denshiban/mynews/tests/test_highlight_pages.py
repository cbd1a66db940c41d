"""The member's keywords marked in article text and list headlines, and only for them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from denshiban.access.tests.factories import sign_in
from denshiban.billing.models import SubscriptionStatus
from denshiban.core.pagecache import CACHE_HEADER
from denshiban.mynews.registrations import register_keyword
from denshiban.newsroom.tests.factories import TopicFactory, add_article, paragraph

pytestmark = pytest.mark.django_db

MARK = '<mark class="kw">'
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_MARKS = re.compile(r'<mark class="kw">|</mark>')


def without_marks(html: str) -> str:
    return _CSRF.sub("", _MARKS.sub("", html))


def marked(html: str) -> list[str]:
    return re.findall(r'<mark class="kw">(.*?)</mark>', html)


@pytest.fixture
def article(site):
    return add_article(
        index=site["index"],
        section=site["section"],
        title="日銀、追加利上げを決定",
        lead="日銀は金融政策決定会合で追加利上げを決めた。",
        body=[
            paragraph('円安が進んだ。<a href="https://example.com/円安/">円安の解説</a>も参照。'),
            ("heading", "円安の行方"),
        ],
    )


def test_member_sees_keywords_marked_in_lead_body_and_headlines(client, site, article):
    member = sign_in(client, "active")
    register_keyword(user=member, raw="円安")
    register_keyword(user=member, raw="日銀")

    html = client.get(article.url).content.decode()

    headline = html.split('class="article-headline"', 1)[1].split("</h1>", 1)[0]
    assert f"{MARK}日銀</mark>、追加利上げを決定" in headline
    lead = html.split('class="article-lead"', 1)[1].split("</p>", 1)[0]
    body = html.split('class="article-paid-part article-body"', 1)[1].split("section-more", 1)[0]
    assert f"{MARK}日銀</mark>は金融政策" in lead
    assert f"{MARK}円安</mark>が進んだ" in body
    assert f"{MARK}円安</mark>の行方" in body
    # In the link's text, never in its address.
    assert 'href="https://example.com/円安/"' in body
    assert f">{MARK}円安</mark>の解説</a>" in body


def test_headlines_are_marked_in_the_lists(client, site):
    member = sign_in(client, "active")
    topic = TopicFactory(name="金融政策", slug="monetary")
    add_article(index=site["index"], section=site["section"], title="円安が加速", topics=[topic])
    register_keyword(user=member, raw="円安")

    for path in ("/", site["section"].public_path, topic.get_absolute_url()):
        html = client.get(path).content.decode()
        assert f'<span class="article-item__headline">{MARK}円安</mark>が加速</span>' in html, path


def test_marks_change_nothing_but_the_marks(client, site):
    """The page with marks, marks taken out, is the page without keywords."""
    member = sign_in(client, "active")
    add_article(
        index=site["index"],
        section=site["section"],
        title='見出しに <b> と &amp; と " を含む',
        lead='リードにも <b>太字</b> と &amp; と "引用" がある。',
        body=[paragraph("本文の &lt;b&gt; と &amp;amp; と &quot; と 円安。")],
    )
    article = add_article(
        index=site["index"],
        section=site["section"],
        title='<b>と&amp;と"の記事',
        lead='<b>太字</b>、&amp;、"引用"、円安。',
        body=[paragraph("本文の &lt;b&gt; と &amp;amp; と &quot; と 円安。")],
    )
    plain = client.get(article.url).content.decode()
    for word in ("<b>", "&amp;", '"', "円安", "b", "amp", "quot"):
        register_keyword(user=member, raw=word)

    html = client.get(article.url).content.decode()

    assert marked(html), "some keyword is marked"
    assert without_marks(html) == without_marks(plain)
    assert "<b>太字" not in html
    assert '<mark class="kw">quot</mark>' not in html
    assert "&<mark" not in html


def test_a_lapsed_member_sees_no_marks(client, article):
    member = sign_in(client, "active")
    register_keyword(user=member, raw="円安")
    member.subscriptions.update(status=SubscriptionStatus.EXPIRED)

    assert MARK not in client.get(article.url).content.decode()


def test_the_guest_page_never_holds_marks_even_after_a_member(client, article, site):
    member = sign_in(client, "active")
    register_keyword(user=member, raw="日銀")
    assert MARK in client.get(article.url).content.decode()
    assert MARK in client.get("/").content.decode()

    client.logout()
    first = client.get(article.url)
    second = client.get(article.url)
    home = client.get("/")

    assert MARK not in first.content.decode()
    assert second[CACHE_HEADER] == "hit"
    assert MARK not in second.content.decode()
    assert MARK not in home.content.decode()


def test_a_page_cached_for_guests_is_not_served_to_the_member(client, article):
    assert MARK not in client.get(article.url).content.decode()
    assert client.get(article.url)[CACHE_HEADER] == "hit"

    member = sign_in(client, "active")
    register_keyword(user=member, raw="円安")
    response = client.get(article.url)

    assert CACHE_HEADER not in response
    assert MARK in response.content.decode()


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_guests_pages_ask_nothing_about_keywords(client, settings, article):
    settings.GUEST_PAGE_CACHE = False
    for path in (article.url, "/"):
        assert not [sql for sql in _queries(client, path) if "mynews_" in sql], path


def test_a_members_keywords_are_read_once_however_many_headlines(client, site, settings):
    settings.GUEST_PAGE_CACHE = False
    member = sign_in(client, "active")
    register_keyword(user=member, raw="円安")
    for number in range(12):
        add_article(index=site["index"], section=site["section"], title=f"円安{number}")

    for path in ("/", site["section"].public_path):
        keyword_queries = [sql for sql in _queries(client, path) if "mynews_keyword" in sql]
        assert len(keyword_queries) == 1, path


def test_highlighting_adds_one_query_to_a_members_article(
    client, settings, article, django_assert_num_queries
):
    settings.GUEST_PAGE_CACHE = False
    member = sign_in(client, "active")
    client.get(article.url)
    before = len(_queries(client, article.url))
    for number in range(30):
        register_keyword(user=member, raw=f"語{number}")
    register_keyword(user=member, raw="円安")

    with django_assert_num_queries(before):
        html = client.get(article.url).content.decode()
    assert MARK in html
