def test_openapi_docs_are_served(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200


def test_openapi_schema_has_the_title_and_every_domain(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "denshiban API"
    for path in (
        "/api/v1/sections",
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/topics",
        "/api/v1/topics/{slug}",
        "/api/v1/series",
        "/api/v1/series/{slug}",
        "/api/v1/companies",
        "/api/v1/companies/{code}",
        "/api/v1/charts/{chart_id}",
    ):
        assert path in schema["paths"], path
