from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.rich_text import RichText

from denshiban.api.tests.fixtures import (
    PUBLIC_LEAD,
    SECRET_MARKER,
    add_photo,
    add_secret_article,
    make_chart,
    make_member,
    make_staff,
    visible_text,
)
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    ReporterFactory,
    SeriesFactory,
    TopicFactory,
    add_article,
    add_section,
    paragraph,
)


def headlines(response) -> list[str]:
    return [item["headline"] for item in response.json()["items"]]


def test_list_gives_summaries_without_any_body(client, site):
    topic = TopicFactory(slug="trade", name="通商")
    company = CompanyFactory(securities_code="7203", name="東西自動車")
    for level in AccessLevel.values:
        add_secret_article(site, access_level=level, topics=[topic], companies=[company])

    response = client.get("/api/v1/articles")

    assert response.status_code == 200
    assert SECRET_MARKER not in visible_text(response)
    data = response.json()
    assert data["count"] == 3
    item = data["items"][0]
    assert set(item) == {
        "id",
        "url",
        "headline",
        "lead",
        "section",
        "access_level",
        "published_at",
        "updated_at",
        "is_updated",
        "topics",
        "companies",
    }
    assert item["url"] == f"http://testserver/article/{item['id']}/"
    assert item["section"]["slug"] == "economy"
    assert item["topics"] == [
        {"slug": "trade", "name": "通商", "url": "http://testserver/topic/trade/"}
    ]
    assert item["companies"][0]["code"] == "7203"
    assert "public" in response["Cache-Control"]


def test_list_is_newest_first_and_paginated(client, site):
    now = timezone.now()
    for n in range(5):
        add_article(
            index=site["index"],
            section=site["section"],
            title=f"記事{n}",
            published_at=now - timedelta(hours=n + 1),
        )
    add_article(index=site["index"], section=site["section"], title="下書き", live=False)

    first = client.get("/api/v1/articles", {"page_size": 2})
    third = client.get("/api/v1/articles", {"page_size": 2, "page": 3})

    assert first.json()["count"] == 5
    assert headlines(first) == ["記事0", "記事1"]
    assert headlines(third) == ["記事4"]


def test_list_filters(client, site):
    politics = add_section(home=site["home"], title="政治・外交", slug="politics", position=2)
    topic = TopicFactory(slug="trade")
    series = SeriesFactory(slug="shinro")
    company = CompanyFactory(securities_code="6758")
    now = timezone.now()
    add_article(
        index=site["index"],
        section=site["section"],
        title="古い経済",
        published_at=now - timedelta(days=10),
    )
    add_article(
        index=site["index"],
        section=politics,
        title="政治の有料",
        access_level=AccessLevel.PAID,
        topics=[topic],
        series=series,
        published_at=now - timedelta(days=1),
    )
    add_article(
        index=site["index"],
        section=site["section"],
        title="企業の会員限定",
        access_level=AccessLevel.MEMBER,
        companies=[company],
        published_at=now - timedelta(hours=1),
    )

    def titles(**params) -> list[str]:
        return sorted(headlines(client.get("/api/v1/articles", params)))

    assert titles(section="politics") == ["政治の有料"]
    assert titles(topic="trade") == ["政治の有料"]
    assert titles(series="shinro") == ["政治の有料"]
    assert titles(company="6758") == ["企業の会員限定"]
    assert titles(access_level="member") == ["企業の会員限定"]
    assert titles(since=(now - timedelta(days=2)).isoformat()) == ["企業の会員限定", "政治の有料"]
    assert titles(until=(now - timedelta(days=2)).isoformat()) == ["古い経済"]
    assert titles(section="nothing") == []
    assert client.get("/api/v1/articles", {"access_level": "secret"}).status_code == 422


def test_list_queries_do_not_grow_with_articles(client, site, django_assert_max_num_queries):
    topics = TopicFactory.create_batch(3)
    companies = CompanyFactory.create_batch(3)
    for n in range(25):
        add_article(
            index=site["index"],
            section=site["section"],
            title=f"記事{n}",
            topics=topics,
            companies=companies,
        )

    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/articles", {"page_size": 25})

    assert len(response.json()["items"]) == 25


def test_guest_gets_no_body_of_a_paid_article_but_a_paywall(client, site):
    article = add_secret_article(site, access_level=AccessLevel.PAID)

    response = client.get(f"/api/v1/articles/{article.pk}")

    assert response.status_code == 200
    assert SECRET_MARKER not in visible_text(response)
    # Japanese goes out as itself, so the marker could not hide in \\u escapes either.
    assert PUBLIC_LEAD in response.content.decode()
    data = response.json()
    assert data["lead"] == article.lead
    assert data["body"] is None
    assert data["paywall"] == {"reason": "subscription_required", "offers": ["subscribe", "login"]}


def test_guest_gets_no_body_of_a_member_article(client, site):
    article = add_secret_article(site, access_level=AccessLevel.MEMBER)

    response = client.get(f"/api/v1/articles/{article.pk}")

    data = response.json()
    assert data["body"] is None
    assert data["paywall"]["reason"] == "sign_in_required"
    assert SECRET_MARKER not in visible_text(response)


def test_member_reads_member_article_but_not_paid_one(client, site, settings):
    settings.FREE_MEMBER_MONTHLY_ALLOWANCE = 0
    member_article = add_secret_article(site, access_level=AccessLevel.MEMBER)
    paid_article = add_secret_article(site, access_level=AccessLevel.PAID)
    client.force_login(make_member())

    member_data = client.get(f"/api/v1/articles/{member_article.pk}").json()
    paid_response = client.get(f"/api/v1/articles/{paid_article.pk}")

    assert SECRET_MARKER in member_data["body"][0]["text"]
    assert SECRET_MARKER not in visible_text(paid_response)
    assert paid_response.json()["paywall"]["offers"] == ["subscribe"]


def test_free_article_body_comes_in_blocks(client, site):
    chart = make_chart()
    article = add_secret_article(site, access_level=AccessLevel.FREE)
    article.body = [
        paragraph(f"{SECRET_MARKER}と<b>太字</b>"),
        ("heading", "小見出し"),
        ("quote", {"text": "前向きに検討する", "attribution": "首相"}),
        ("chart", {"chart": chart}),
    ]
    article.save()

    response = client.get(f"/api/v1/articles/{article.pk}")

    data = response.json()
    assert data["paywall"] is None
    paragraph_block, heading, quote, chart_block = data["body"]
    assert paragraph_block["type"] == "paragraph"
    assert paragraph_block["text"] == f"{SECRET_MARKER}と太字"
    assert "<b>太字</b>" in paragraph_block["html"]
    assert heading == {"type": "heading", "text": "小見出し"}
    assert quote == {"type": "quote", "text": "前向きに検討する", "attribution": "首相"}
    assert chart_block == {
        "type": "chart",
        "id": chart.pk,
        "title": chart.title,
        "url": f"http://testserver/charts/{chart.pk}/",
    }


def test_paragraph_html_is_sanitized(client, site):
    article = add_article(
        index=site["index"],
        section=site["section"],
        body=[
            (
                "paragraph",
                RichText(
                    '<p onclick="x()">本文<script>alert(1)</script>'
                    '<a href="javascript:x()">リンク</a></p>'
                ),
            )
        ],
    )

    html = client.get(f"/api/v1/articles/{article.pk}").json()["body"][0]["html"]

    assert "<script" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "本文" in html


def test_staff_reads_the_paid_article_in_full_privately(client, site):
    article = add_secret_article(site, access_level=AccessLevel.PAID)
    client.force_login(make_staff())

    response = client.get(f"/api/v1/articles/{article.pk}")

    assert SECRET_MARKER in response.json()["body"][0]["text"]
    assert SECRET_MARKER in visible_text(response)
    assert response.json()["paywall"] is None
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_guest_detail_is_public_but_varies_on_cookie(client, site):
    article = add_secret_article(site, access_level=AccessLevel.PAID)

    response = client.get(f"/api/v1/articles/{article.pk}")

    assert "public" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_detail_has_dateline_reporters_series_companies_and_photos(client, site):
    reporter = ReporterFactory(name="山田太郎", bureau="ワシントン支局")
    series = SeriesFactory(name="日本経済の針路")
    company = CompanyFactory(securities_code="7203")
    article = add_article(
        index=site["index"],
        section=site["section"],
        dateline="ワシントン",
        reporters=[reporter],
        series=series,
        companies=[company],
    )
    add_photo(article, caption="会見する総裁")

    data = client.get(f"/api/v1/articles/{article.pk}").json()

    assert data["dateline"] == "ワシントン"
    assert data["reporters"][0]["name"] == "山田太郎"
    assert data["reporters"][0]["bureau"] == "ワシントン支局"
    assert data["series"]["name"] == "日本経済の針路"
    assert data["companies"][0]["code"] == "7203"
    assert data["industries"][0]["slug"] == company.industry.slug
    (photo,) = data["photos"]
    assert photo["caption"] == "会見する総裁"
    assert photo["url"].startswith("http://testserver/")


@pytest.mark.parametrize("path", ["/api/v1/articles/999999", "/api/v1/articles/0"])
def test_unknown_article_is_a_json_404_in_japanese(client, site, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}


def test_draft_article_is_a_404(client, site):
    draft = add_article(index=site["index"], section=site["section"], live=False)

    assert client.get(f"/api/v1/articles/{draft.pk}").status_code == 404
