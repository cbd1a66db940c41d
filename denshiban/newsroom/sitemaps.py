"""sitemap.xml: every public page, one query per kind of page however many there are."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from denshiban.charts.models import Chart
from denshiban.charts.selectors import public_charts

from .models import ArticlePage, Company, Industry, Reporter, SectionPage, Series, Topic
from .selectors import article_list

SITEMAP_MAX_AGE = 600


class HomeSitemap(Sitemap):
    changefreq = "always"
    priority = 1.0

    def items(self) -> list[str]:
        return ["/"]

    def location(self, item: str) -> str:
        return item


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self) -> QuerySet[SectionPage]:
        return SectionPage.objects.live().only("id", "slug", "position").order_by("position", "id")

    def location(self, section: SectionPage) -> str:
        return section.public_path


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> QuerySet[ArticlePage]:
        return article_list()

    def location(self, article: ArticlePage) -> str:
        return article.public_path

    def lastmod(self, article: ArticlePage) -> datetime | None:
        return article.updated_at if article.is_updated else article.first_published_at


class SnippetSitemap(Sitemap):
    """Topic, series, company, industry and reporter pages: their own get_absolute_url."""

    changefreq = "daily"
    priority = 0.5

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset

    def items(self) -> QuerySet:
        # A fresh copy each time: the module-level queryset must never cache its rows.
        return self.queryset.all()


class ChartSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self) -> QuerySet[Chart]:
        # Only charts a free article shows: the others belong to members' articles.
        return public_charts().only("id", "updated_at").order_by("id")

    def lastmod(self, chart: Chart) -> datetime:
        return chart.updated_at


SITEMAPS: dict[str, Sitemap] = {
    "home": HomeSitemap(),
    "sections": SectionSitemap(),
    "articles": ArticleSitemap(),
    "topics": SnippetSitemap(Topic.objects.only("id", "slug").order_by("id")),
    "series": SnippetSitemap(Series.objects.only("id", "slug").order_by("id")),
    "companies": SnippetSitemap(Company.objects.only("id", "securities_code").order_by("id")),
    "industries": SnippetSitemap(Industry.objects.only("id", "slug").order_by("id")),
    "reporters": SnippetSitemap(Reporter.objects.only("id", "slug").order_by("id")),
    "charts": ChartSitemap(),
}


def sitemap(request: HttpRequest) -> HttpResponse:
    response = django_sitemap(request, sitemaps=SITEMAPS)
    # Lists public addresses only; the same for every visitor.
    patch_cache_control(response, public=True, max_age=SITEMAP_MAX_AGE)
    return response
