"""Reader pages for the things articles are about. Thin: look up, call a selector, render."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from wagtail.views import serve as wagtail_serve

from denshiban.core.http import mark_cacheable_for_guests

from . import selectors
from .models import Company, HomePage, Industry, Reporter, SectionPage, Series, Topic


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return mark_cacheable_for_guests(request, render(request, template, context))


def home(request: HttpRequest) -> HttpResponse:
    """The front page, without resolving the site tree on every read."""
    page = HomePage.objects.live().first()
    if page is None:
        return wagtail_serve(request, "")
    return page.serve(request)


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """/<section>/ straight to the section; any other page at that path is Wagtail's."""
    section = SectionPage.objects.live().filter(slug=slug).first()
    if section is None:
        return wagtail_serve(request, f"{slug}/")
    return section.serve(request)


def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    """/article/<id>/ straight to the article, without walking the page tree on every read."""
    article = selectors.live_article(article_id)
    if article is None:
        raise Http404
    return article.serve(request)


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    context = selectors.topic_context(topic=topic, page=request.GET.get("page"))
    return _render(request, "newsroom/topic_detail.html", context)


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=slug)
    context = selectors.series_context(series=series, page=request.GET.get("page"))
    return _render(request, "newsroom/series_detail.html", context)


def company_detail(request: HttpRequest, code: str) -> HttpResponse:
    company = get_object_or_404(Company.objects.select_related("industry"), securities_code=code)
    context = selectors.company_context(company=company, page=request.GET.get("page"))
    return _render(request, "newsroom/company_detail.html", context)


def industry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    industry = get_object_or_404(Industry, slug=slug)
    context = selectors.industry_context(industry=industry, page=request.GET.get("page"))
    return _render(request, "newsroom/industry_detail.html", context)


def reporter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reporter = get_object_or_404(Reporter, slug=slug)
    context = selectors.reporter_context(reporter=reporter, page=request.GET.get("page"))
    return _render(request, "newsroom/reporter_detail.html", context)
