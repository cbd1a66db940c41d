from denshiban.api.tests.fixtures import SECRET_MARKER, add_secret_article, visible_text
from denshiban.newsroom.tests.factories import TopicFactory


def test_topics_list_with_related_topics(client, site):
    trade = TopicFactory(slug="trade", name="通商")
    tariffs = TopicFactory(slug="tariffs", name="関税")
    trade.related_topics.add(tariffs)

    response = client.get("/api/v1/topics")

    by_slug = {t["slug"]: t for t in response.json()}
    assert by_slug["trade"]["name"] == "通商"
    assert by_slug["trade"]["url"] == "http://testserver/topic/trade/"
    assert [t["slug"] for t in by_slug["trade"]["related_topics"]] == ["tariffs"]


def test_topic_detail_lists_its_latest_articles_without_body(client, site):
    topic = TopicFactory(slug="trade", description="通商交渉の動き")
    add_secret_article(site, topics=[topic], title="通商の記事")
    add_secret_article(site, title="ほかの記事")

    response = client.get("/api/v1/topics/trade")

    data = response.json()
    assert data["description"] == "通商交渉の動き"
    assert [a["headline"] for a in data["latest"]] == ["通商の記事"]
    assert SECRET_MARKER not in visible_text(response)


def test_unknown_topic_is_a_json_404(client, db):
    response = client.get("/api/v1/topics/nothing")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}
