"""What search engines and social networks read in a page's head: OGP, Twitter cards, JSON-LD.

Built as plain data here; `templatetags/seo.py` renders it. Everything descriptive comes
from the headline and the lead, which every reader may see: the body never enters the head,
whoever is reading.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.text import Truncator
from wagtail.images.models import SourceImageIOError

from denshiban.access.reading import PAID_PART_SELECTOR, Reading, public_reading
from denshiban.core.dates import to_jst

from .models import ArticlePage

OG_IMAGE_FILTER = "fill-1200x630"
DESCRIPTION_CHARS = 120

# Characters that could end a <script> element or open markup inside it. JSON allows the
# \uXXXX forms anywhere in a string, so the data means the same after the swap.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def short_description(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def iso_time(value: datetime | None) -> str | None:
    return to_jst(value).isoformat() if value is not None else None


def json_for_script(data: dict[str, Any]) -> str:
    """JSON that can sit inside <script type="application/ld+json"> without breaking out."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


def article_image_url(article: ArticlePage, request: HttpRequest) -> str | None:
    """The first gallery photo, sized for link previews; photos come prefetched with the article."""
    photo = next(iter(article.photos.all()), None)
    if photo is None:
        return None
    try:
        rendition = photo.image.get_rendition(OG_IMAGE_FILTER)
    except SourceImageIOError:
        # A lost original should cost the preview picture, not the article page.
        return None
    return request.build_absolute_uri(rendition.url)


def modified_time(article: ArticlePage) -> datetime | None:
    return article.updated_at if article.is_updated else article.first_published_at


def _social_tags(
    *, og_type: str, title: str, description: str, url: str, image: str | None
) -> dict[str, list[tuple[str, str]]]:
    og = [
        ("og:type", og_type),
        ("og:site_name", settings.SITE_NAME),
        ("og:locale", "ja_JP"),
        ("og:title", title),
        ("og:description", description),
        ("og:url", url),
    ]
    twitter = [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", title),
        ("twitter:description", description),
    ]
    if image:
        og.append(("og:image", image))
        twitter.append(("twitter:image", image))
    return {"og": og, "twitter": twitter}


def article_head(reading: Reading, request: HttpRequest) -> dict[str, Any]:
    article = reading.article
    canonical = request.build_absolute_uri(article.public_path)
    image = article_image_url(article, request)
    head = {
        "canonical": canonical,
        **_social_tags(
            og_type="article",
            title=article.title,
            description=short_description(reading.lead),
            url=canonical,
            image=image,
        ),
        "structured_data": news_article(reading, request, canonical=canonical, image=image),
    }
    article_tags = [
        ("article:published_time", iso_time(article.first_published_at)),
        ("article:modified_time", iso_time(modified_time(article))),
        ("article:section", article.section.title if article.section else None),
    ]
    head["og"] += [(name, value) for name, value in article_tags if value]
    return head


def page_head(title: str, description: str, request: HttpRequest) -> dict[str, Any]:
    canonical = request.build_absolute_uri(request.path)
    return {
        "canonical": canonical,
        **_social_tags(
            og_type="website",
            title=title,
            description=short_description(description),
            url=canonical,
            image=None,
        ),
    }


def news_article(
    reading: Reading, request: HttpRequest, *, canonical: str, image: str | None
) -> dict[str, Any]:
    """schema.org NewsArticle. Whether it is free describes the article, not this reader."""
    article = reading.article
    free = public_reading(article).is_full
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": reading.lead,
        "datePublished": iso_time(article.first_published_at),
        "dateModified": iso_time(modified_time(article)),
        "author": [
            {
                "@type": "Person",
                "name": reporter.name,
                "url": request.build_absolute_uri(reporter.get_absolute_url()),
            }
            for reporter in article.reporters.all()
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "isAccessibleForFree": free,
    }
    if image:
        data["image"] = [image]
    if article.section:
        data["articleSection"] = article.section.title
    if not free:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": PAID_PART_SELECTOR,
        }
    return data
