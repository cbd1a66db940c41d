"""A Wagtail tree to hang articles on, for the tests that look for the articles using a chart."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from denshiban.charts.models import Chart
from denshiban.newsroom.models import ArticleIndexPage, ArticlePage, HomePage, SectionPage


@pytest.fixture
def newsroom(db) -> dict[str, Any]:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="ホーム", slug="top"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    else:
        Site.objects.filter(pk=site.pk).update(root_page=home)
    section = home.add_child(instance=SectionPage(title="経済", slug="economy"))
    index = home.add_child(instance=ArticleIndexPage(title="記事", slug="article"))
    return {"home": home, "section": section, "index": index}


@pytest.fixture
def add_article(newsroom: dict[str, Any]) -> Callable[..., ArticlePage]:
    def add(
        *,
        title: str,
        charts: list[Chart],
        live: bool = True,
        text: str = "本文の段落。",
        access_level: str = "paid",
    ) -> ArticlePage:
        body: list[tuple[str, Any]] = [("paragraph", f"<p>{text}</p>")]
        body += [("chart", {"chart": chart}) for chart in charts]
        article = ArticlePage(
            title=title,
            lead=f"{title}のリード。",
            section=newsroom["section"],
            access_level=access_level,
            body=body,
            live=live,
            first_published_at=timezone.now() if live else None,
        )
        return newsroom["index"].add_child(instance=article)

    return add
