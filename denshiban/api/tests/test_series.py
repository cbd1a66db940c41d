from denshiban.api.tests.fixtures import SECRET_MARKER, add_secret_article, visible_text
from denshiban.newsroom.models import SeriesKind
from denshiban.newsroom.tests.factories import SeriesFactory


def test_series_list(client, db):
    SeriesFactory(slug="shinro", name="日本経済の針路", kind=SeriesKind.COLUMN)

    response = client.get("/api/v1/series")

    assert response.json() == [
        {
            "slug": "shinro",
            "name": "日本経済の針路",
            "kind": "column",
            "url": "http://testserver/series/shinro/",
            "description": "",
        }
    ]


def test_series_detail_lists_its_latest_articles_without_body(client, site):
    series = SeriesFactory(slug="shinro")
    add_secret_article(site, series=series, title="連載第1回")
    add_secret_article(site, title="ほかの記事")

    response = client.get("/api/v1/series/shinro")

    assert [a["headline"] for a in response.json()["latest"]] == ["連載第1回"]
    assert SECRET_MARKER not in visible_text(response)


def test_unknown_series_is_a_json_404(client, db):
    response = client.get("/api/v1/series/nothing")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}
