from denshiban.api.tests.fixtures import SECRET_MARKER, add_secret_article, visible_text
from denshiban.newsroom.tests.factories import CompanyFactory, IndustryFactory


def test_companies_list_with_codes_and_industry(client, db):
    industry = IndustryFactory(slug="automobile", name="自動車")
    CompanyFactory(securities_code="7203", name="東西自動車", industry=industry)

    response = client.get("/api/v1/companies")

    (company,) = response.json()
    assert company["code"] == "7203"
    assert company["name"] == "東西自動車"
    assert company["url"] == "http://testserver/company/7203/"
    assert company["industry"] == {
        "slug": "automobile",
        "name": "自動車",
        "url": "http://testserver/industry/automobile/",
    }


def test_company_detail_lists_its_latest_articles_without_body(client, site):
    company = CompanyFactory(securities_code="7203")
    add_secret_article(site, companies=[company], title="決算の記事")
    add_secret_article(site, title="ほかの記事")

    response = client.get("/api/v1/companies/7203")

    assert [a["headline"] for a in response.json()["latest"]] == ["決算の記事"]
    assert SECRET_MARKER not in visible_text(response)


def test_unknown_company_is_a_json_404(client, db):
    response = client.get("/api/v1/companies/0000")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}
