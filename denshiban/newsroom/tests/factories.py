"""Factories for the newsroom: a Wagtail tree, sections, articles and what they are about."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from denshiban.newsroom.models import (
    AccessLevel,
    ArticleIndexPage,
    ArticlePage,
    Company,
    HomePage,
    Industry,
    Reporter,
    SectionPage,
    Series,
    SeriesKind,
    Topic,
)


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"業界{n}")
    slug = factory.Sequence(lambda n: f"industry-{n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"架空工業{n}")
    securities_code = factory.Sequence(lambda n: f"{1000 + n:04d}")
    industry = factory.SubFactory(IndustryFactory)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"トピック{n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "このトピックの説明です。"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"連載{n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    kind = SeriesKind.SERIES


class ReporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reporter

    name = factory.Sequence(lambda n: f"記者{n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    bureau = "経済部"


def build_site() -> dict[str, Any]:
    """The tree every reader page needs: home as the site root, one section, the article folder."""
    existing = HomePage.objects.first()
    if existing is not None:
        return {
            "home": existing,
            "index": ArticleIndexPage.objects.get(),
            "section": SectionPage.objects.order_by("position").first(),
        }
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="denshiban 電子版", slug="top"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    else:
        old_root = site.root_page
        site.root_page = home
        site.save()
        if old_root.pk != home.pk and old_root.depth > 1:
            old_root.delete()
    index = home.add_child(instance=ArticleIndexPage(title="記事", slug="article"))
    section = add_section(home=home, title="経済", slug="economy", position=1)
    return {"home": home, "index": index, "section": section}


def add_section(*, home: HomePage, title: str, slug: str, position: int = 0) -> SectionPage:
    return home.add_child(instance=SectionPage(title=title, slug=slug, position=position))


def paragraph(text: str) -> tuple[str, RichText]:
    return ("paragraph", RichText(f"<p>{text}</p>"))


def add_article(
    *,
    index: ArticleIndexPage,
    section: SectionPage,
    title: str = "日銀、追加利上げを決定",
    lead: str = "日銀は金融政策決定会合で追加利上げを決めた。",
    body: list[tuple[str, Any]] | None = None,
    access_level: str = AccessLevel.FREE,
    published_at=None,
    live: bool = True,
    **fields: Any,
) -> ArticlePage:
    """Create a published article (live=False leaves a draft)."""
    relations = {
        key: fields.pop(key)
        for key in ("topics", "companies", "reporters", "industries")
        if key in fields
    }
    published_at = published_at or timezone.now() - timedelta(hours=1)
    article = ArticlePage(
        title=title,
        lead=lead,
        body=body if body is not None else [paragraph("本文の段落です。")],
        section=section,
        access_level=access_level,
        live=live,
        first_published_at=published_at if live else None,
        last_published_at=published_at if live else None,
        **fields,
    )
    index.add_child(instance=article)
    for name, items in relations.items():
        getattr(article, name).set(items)
    if relations:
        article.save()
    return article
