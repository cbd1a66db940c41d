def test_robots_keeps_crawlers_out_of_admin_and_api_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt", HTTP_HOST="news.example.jp")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/django-admin/", "/api/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://news.example.jp/sitemap.xml" in lines
    assert "public" in response["Cache-Control"]
