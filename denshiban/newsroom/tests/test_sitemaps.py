from datetime import timedelta
from xml.etree import ElementTree

from django.utils import timezone

from denshiban.api.tests.fixtures import SECRET_MARKER, add_secret_article, make_chart
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import (
    CompanyFactory,
    ReporterFactory,
    SeriesFactory,
    TopicFactory,
    add_article,
)

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(response) -> dict[str, str | None]:
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's output
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root}


def test_sitemap_lists_every_kind_of_public_page(client, site):
    topic = TopicFactory(slug="trade")
    series = SeriesFactory()
    company = CompanyFactory(securities_code="7203")
    reporter = ReporterFactory(slug="yamada")
    chart = make_chart()
    article = add_article(
        index=site["index"],
        section=site["section"],
        topics=[topic],
        body=[("chart", {"chart": chart})],
    )

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = set(sitemap_entries(response))
    base = "http://testserver"
    assert {
        f"{base}/",
        f"{base}/economy/",
        f"{base}/article/{article.pk}/",
        f"{base}/topic/trade/",
        f"{base}/series/{series.slug}/",
        f"{base}/company/7203/",
        f"{base}/industry/{company.industry.slug}/",
        f"{base}/reporter/{reporter.slug}/",
        f"{base}/charts/{chart.pk}/",
    } <= locations


def test_sitemap_article_lastmod_is_update_time_when_updated(client, site):
    published = timezone.now() - timedelta(days=2)
    updated = add_article(
        index=site["index"],
        section=site["section"],
        published_at=published,
        updated_at=published + timedelta(days=1),
    )
    plain = add_article(index=site["index"], section=site["section"], published_at=published)

    entries = sitemap_entries(client.get("/sitemap.xml"))

    # Dates are Japan's: an article updated at 00:30 JST was updated "today" in Tokyo.
    assert entries[f"http://testserver/article/{updated.pk}/"] == (
        timezone.localtime(published + timedelta(days=1)).date().isoformat()
    )
    assert (
        entries[f"http://testserver/article/{plain.pk}/"]
        == timezone.localtime(published).date().isoformat()
    )


def test_sitemap_leaves_out_drafts_and_never_holds_text(client, site):
    paid = add_secret_article(site, access_level=AccessLevel.PAID)
    draft = add_article(index=site["index"], section=site["section"], live=False)

    response = client.get("/sitemap.xml")

    text = response.content.decode()
    assert f"/article/{paid.pk}/" in text
    assert f"/article/{draft.pk}/" not in text
    assert SECRET_MARKER not in text
    assert "public" in response["Cache-Control"]


def test_sitemap_queries_do_not_grow_with_articles(client, site, django_assert_max_num_queries):
    def add_batch(count: int) -> None:
        for _ in range(count):
            add_article(
                index=site["index"],
                section=site["section"],
                topics=[TopicFactory()],
                reporters=[ReporterFactory()],
            )
            add_article(
                index=site["index"],
                section=site["section"],
                body=[("chart", {"chart": make_chart()})],
            )

    add_batch(3)
    with django_assert_max_num_queries(20) as few:
        client.get("/sitemap.xml")
    add_batch(12)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sitemap.xml")

    assert len(sitemap_entries(response)) >= 15


def test_sitemap_leaves_out_charts_of_paid_articles(client, site):
    shown_free = make_chart(title="無料記事の図表")
    shown_paid = make_chart(title="有料記事の図表")
    add_article(
        index=site["index"], section=site["section"], body=[("chart", {"chart": shown_free})]
    )
    add_article(
        index=site["index"],
        section=site["section"],
        access_level=AccessLevel.PAID,
        body=[("chart", {"chart": shown_paid})],
    )

    text = client.get("/sitemap.xml").content.decode()

    assert f"/charts/{shown_free.pk}/" in text
    assert f"/charts/{shown_paid.pk}/" not in text
