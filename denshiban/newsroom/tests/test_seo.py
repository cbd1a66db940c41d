import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from denshiban.access.reading import PAID_PART_SELECTOR, public_reading, reading_for
from denshiban.api.tests.fixtures import (
    HOSTILE_HEADLINE,
    PUBLIC_LEAD,
    SECRET_MARKER,
    add_photo,
    add_secret_article,
    make_staff,
)
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.selectors import article_detail_queryset
from denshiban.newsroom.seo import OG_IMAGE_FILTER
from denshiban.newsroom.tests.factories import ReporterFactory, add_article


class HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta":
            self.meta[attributes.get("property") or attributes["name"]] = attributes["content"]
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes["href"]
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def request_for(path: str = "/"):
    return RequestFactory().get(path, HTTP_HOST="news.example.jp")


def render_article_head(reading) -> str:
    template = Template("{% load seo %}{% article_head_meta reading request %}")
    return template.render(Context({"reading": reading, "request": request_for()}))


def parse(html: str) -> HeadParser:
    parser = HeadParser()
    parser.feed(html)
    return parser


def loaded(article):
    """The article as the article page gets it: relations prefetched."""
    return article_detail_queryset().get(pk=article.pk)


def structured_data(html: str) -> dict:
    (script,) = parse(html).scripts
    return json.loads(script)


def test_article_head_has_open_graph_and_canonical(site):
    published = timezone.now() - timedelta(days=1)
    article = add_article(
        index=site["index"],
        section=site["section"],
        title="日銀、金利を据え置き",
        lead="日銀は据え置きを決めた。",
        published_at=published,
        updated_at=published + timedelta(hours=5),
    )

    head = parse(render_article_head(public_reading(loaded(article))))

    url = f"http://news.example.jp/article/{article.pk}/"
    assert head.canonical == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == "日銀、金利を据え置き"
    assert head.meta["og:description"] == "日銀は据え置きを決めた。"
    assert head.meta["og:url"] == url
    assert head.meta["og:site_name"] == "denshiban 電子版"
    assert head.meta["article:section"] == "経済"
    assert head.meta["article:published_time"] < head.meta["article:modified_time"]
    assert head.meta["twitter:card"] == "summary"
    assert "og:image" not in head.meta


def test_og_description_is_the_lead_cut_short(site):
    article = add_article(index=site["index"], section=site["section"], lead="あ" * 300)

    head = parse(render_article_head(public_reading(loaded(article))))

    description = head.meta["og:description"]
    assert description.startswith("あ" * 100)
    assert len(description) <= 120


def test_first_gallery_photo_becomes_a_large_card_image(site):
    article = add_article(index=site["index"], section=site["section"])
    add_photo(article, caption="一枚目")
    add_photo(article, caption="二枚目")

    head = parse(render_article_head(public_reading(loaded(article))))

    first = article.photos.order_by("sort_order").first().image
    expected = f"http://news.example.jp{first.get_rendition(OG_IMAGE_FILTER).url}"
    assert head.meta["og:image"] == expected
    assert head.meta["twitter:image"] == expected
    assert head.meta["twitter:card"] == "summary_large_image"
    assert structured_data(render_article_head(public_reading(loaded(article))))["image"] == [
        expected
    ]


def test_json_ld_describes_a_free_news_article(site):
    reporter = ReporterFactory(name="山田太郎")
    article = add_article(
        index=site["index"], section=site["section"], title="見出し", reporters=[reporter]
    )

    data = structured_data(render_article_head(public_reading(loaded(article))))

    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "見出し"
    assert data["description"] == article.lead
    assert data["datePublished"]
    assert data["dateModified"] == data["datePublished"]
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "山田太郎",
            "url": f"http://news.example.jp/reporter/{reporter.slug}/",
        }
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "denshiban 電子版"
    assert data["mainEntityOfPage"]["@id"] == f"http://news.example.jp/article/{article.pk}/"
    assert data["articleSection"] == "経済"
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


@pytest.mark.parametrize("level", [AccessLevel.MEMBER, AccessLevel.PAID])
def test_json_ld_marks_the_paid_part_of_a_paywalled_article(site, level):
    article = add_secret_article(site, access_level=level)

    data = structured_data(render_article_head(public_reading(loaded(article))))

    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": PAID_PART_SELECTOR,
    }


def test_json_ld_describes_the_article_not_the_reader(site):
    article = add_secret_article(site, access_level=AccessLevel.PAID)
    staff_reading = reading_for(make_staff(), loaded(article))
    assert staff_reading.is_full

    data = structured_data(render_article_head(staff_reading))

    assert data["isAccessibleForFree"] is False
    assert "hasPart" in data


@pytest.mark.parametrize("level", AccessLevel.values)
def test_head_never_holds_body_text_even_for_a_full_reader(site, level):
    article = add_secret_article(site, access_level=level)

    for reading in (public_reading(loaded(article)), reading_for(make_staff(), loaded(article))):
        html = render_article_head(reading)
        assert SECRET_MARKER not in html
        assert PUBLIC_LEAD in html


def test_hostile_headline_cannot_break_out_of_json_ld(site):
    article = add_article(index=site["index"], section=site["section"], title=HOSTILE_HEADLINE)

    html = render_article_head(public_reading(loaded(article)))

    assert html.count("<script") == 1
    assert html.count("</script>") == 1
    json_part = re.search(r"<script[^>]*>(.*)</script>", html, re.S).group(1)
    assert "<" not in json_part and ">" not in json_part
    assert json.loads(json_part)["headline"] == HOSTILE_HEADLINE
    assert parse(html).meta["og:title"] == HOSTILE_HEADLINE


def test_article_head_makes_no_queries_for_a_prefetched_article(site, django_assert_num_queries):
    article = add_article(
        index=site["index"], section=site["section"], reporters=[ReporterFactory()]
    )
    add_photo(article)
    article.photos.first().image.get_rendition(OG_IMAGE_FILTER)
    reading = public_reading(loaded(article))

    with django_assert_num_queries(0):
        render_article_head(reading)


def test_page_head_describes_a_website_page(db):
    template = Template("{% load seo %}{% page_head_meta title description request %}")
    context = {
        "title": "経済",
        "description": "経済の最新情報",
        "request": request_for("/economy/"),
    }

    html = template.render(Context(context))

    head = parse(html)
    assert head.canonical == "http://news.example.jp/economy/"
    assert head.meta["og:type"] == "website"
    assert head.meta["og:title"] == "経済"
    assert head.meta["og:description"] == "経済の最新情報"
    assert head.meta["og:url"] == "http://news.example.jp/economy/"
    assert head.meta["twitter:card"] == "summary"
    assert head.scripts == []
