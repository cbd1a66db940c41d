from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from denshiban.api.tests.fixtures import PUBLIC_LEAD, SECRET_MARKER, add_secret_article
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import (
    ReporterFactory,
    TopicFactory,
    add_article,
    add_section,
)

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_URLS = ["/feeds/rss/", "/feeds/atom/", "/feeds/economy/rss/", "/feeds/economy/atom/"]


def parse_xml(response) -> ElementTree.Element:
    # Our own server's output, not untrusted input.
    return ElementTree.fromstring(response.content)  # noqa: S314


def rss_items(response) -> list[ElementTree.Element]:
    return parse_xml(response).findall("./channel/item")


@pytest.mark.parametrize("url", FEED_URLS)
def test_feed_never_carries_the_body_of_any_article(client, site, url):
    for level in AccessLevel.values:
        add_secret_article(site, access_level=level)

    response = client.get(url)

    assert response.status_code == 200
    text = response.content.decode()
    assert PUBLIC_LEAD in text
    assert SECRET_MARKER not in text


@pytest.mark.parametrize("url", FEED_URLS)
def test_feed_is_cacheable_by_anyone(client, site, url):
    response = client.get(url)

    assert "public" in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]


def test_rss_item_has_absolute_link_dates_categories_and_author(client, site):
    topic = TopicFactory(name="金融政策")
    reporter = ReporterFactory(name="山田太郎")
    published = timezone.now() - timedelta(days=1)
    article = add_article(
        index=site["index"],
        section=site["section"],
        title="日銀、金利を据え置き",
        published_at=published,
        updated_at=published + timedelta(hours=3),
        topics=[topic],
        reporters=[reporter],
    )

    response = client.get("/feeds/rss/")

    channel = parse_xml(response).find("channel")
    assert channel.findtext("title") == "denshiban 電子版 最新記事"
    assert channel.findtext("language") == "ja"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "日銀、金利を据え置き"
    assert item.findtext("link") == f"http://testserver/article/{article.pk}/"
    assert item.findtext("description") == article.lead
    assert item.findtext("pubDate")
    assert [c.text for c in item.findall("category")] == ["経済", "金融政策"]
    assert "山田太郎" in ElementTree.tostring(item, encoding="unicode")


def test_atom_entry_is_updated_at_the_update_time_or_else_at_publication(client, site):
    published = timezone.now() - timedelta(days=1)
    add_article(
        index=site["index"],
        section=site["section"],
        title="更新あり",
        published_at=published,
        updated_at=published + timedelta(hours=2),
    )
    add_article(
        index=site["index"], section=site["section"], title="更新なし", published_at=published
    )

    response = client.get("/feeds/atom/")

    entries = {
        entry.findtext(f"{ATOM}title"): entry
        for entry in parse_xml(response).findall(f"{ATOM}entry")
    }
    updated = entries["更新あり"]
    assert updated.findtext(f"{ATOM}updated") != updated.findtext(f"{ATOM}published")
    plain = entries["更新なし"]
    assert plain.findtext(f"{ATOM}updated") == plain.findtext(f"{ATOM}published")


def test_section_feed_lists_only_that_section_with_a_japanese_title(client, site):
    politics = add_section(home=site["home"], title="政治・外交", slug="politics", position=2)
    add_article(index=site["index"], section=site["section"], title="経済の記事")
    add_article(index=site["index"], section=politics, title="政治の記事")

    response = client.get("/feeds/economy/rss/")

    channel = parse_xml(response).find("channel")
    assert channel.findtext("title") == "denshiban 電子版 経済の最新記事"
    assert channel.findtext("link") == "http://testserver/economy/"
    assert [item.findtext("title") for item in channel.findall("item")] == ["経済の記事"]


@pytest.mark.parametrize("url", ["/feeds/nothing/rss/", "/feeds/nothing/atom/"])
def test_unknown_section_feed_is_404(client, site, url):
    assert client.get(url).status_code == 404


def test_feed_skips_drafts_and_keeps_the_newest_fifty(client, site):
    now = timezone.now()
    for n in range(52):
        add_article(
            index=site["index"],
            section=site["section"],
            title=f"記事{n}",
            published_at=now - timedelta(minutes=n + 1),
        )
    add_article(index=site["index"], section=site["section"], title="下書き", live=False)

    items = rss_items(client.get("/feeds/rss/"))

    titles = [item.findtext("title") for item in items]
    assert len(titles) == 50
    assert titles[0] == "記事0"
    assert "下書き" not in titles


def test_feed_queries_do_not_grow_with_articles(client, site, django_assert_max_num_queries):
    topics = TopicFactory.create_batch(3)
    reporters = ReporterFactory.create_batch(2)
    for n in range(15):
        add_article(
            index=site["index"],
            section=site["section"],
            title=f"記事{n}",
            topics=topics,
            reporters=reporters,
        )

    with django_assert_max_num_queries(6):
        response = client.get("/feeds/rss/")

    assert len(rss_items(response)) == 15
