from denshiban.newsroom.tests.factories import add_section


def test_sections_in_order_with_their_feeds(client, site):
    add_section(home=site["home"], title="政治・外交", slug="politics", position=0)

    response = client.get("/api/v1/sections")

    assert response.status_code == 200
    assert [s["slug"] for s in response.json()] == ["politics", "economy"]
    economy = response.json()[1]
    assert economy == {
        "slug": "economy",
        "title": "経済",
        "url": "http://testserver/economy/",
        "description": "",
        "rss_url": "http://testserver/feeds/economy/rss/",
        "atom_url": "http://testserver/feeds/economy/atom/",
    }
    assert "public" in response["Cache-Control"]
