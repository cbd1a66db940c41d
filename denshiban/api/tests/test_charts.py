from denshiban.api.tests.fixtures import make_chart, make_member
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article


def _show(site, chart, access_level):
    return add_article(
        index=site["index"],
        section=site["section"],
        access_level=access_level,
        body=[("chart", {"chart": chart})],
    )


def test_chart_gives_its_data_as_labels_and_series(client, site):
    chart = make_chart(title="実質GDPの推移")
    _show(site, chart, AccessLevel.FREE)

    response = client.get(f"/api/v1/charts/{chart.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": chart.pk,
        "title": "実質GDPの推移",
        "unit": "%",
        "source": "内閣府",
        "note": "季節調整値",
        "kind": "bar",
        "url": f"http://testserver/charts/{chart.pk}/",
        "data": {
            "label_heading": "四半期",
            "labels": ["1-3月", "4-6月"],
            "series": [{"name": "前期比", "values": [0.5, -0.2]}],
        },
    }
    assert "public" in response["Cache-Control"]


def test_unknown_chart_is_a_json_404(client, db):
    response = client.get("/api/v1/charts/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}


def test_chart_of_a_paid_article_is_refused_to_guests_and_free_members(client, site):
    chart = make_chart(title="有料記事の図表")
    _show(site, chart, AccessLevel.PAID)

    guest = client.get(f"/api/v1/charts/{chart.pk}")
    client.force_login(make_member())
    member = client.get(f"/api/v1/charts/{chart.pk}")

    for response in (guest, member):
        assert response.status_code == 403
        assert "有料記事の図表" not in response.content.decode()
        assert response.json() == {"detail": "この図表は会員向けの記事に掲載されています。"}
