from denshiban.api.tests.fixtures import make_chart


def test_chart_gives_its_data_as_labels_and_series(client, db):
    chart = make_chart(title="実質GDPの推移")

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
