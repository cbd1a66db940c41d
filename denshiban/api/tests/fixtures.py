"""Extras for tests of the machine-readable surfaces (feeds, sitemap, SEO, API).

The Wagtail tree, articles and snippets come from the newsroom's factories; these add
the secret marker, photos, charts and readers of each kind.
"""

from __future__ import annotations

import json

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from denshiban.accounts.tests.factories import UserFactory
from denshiban.charts.models import Chart
from denshiban.newsroom.models import AccessLevel, ArticlePage, ArticlePhoto
from denshiban.newsroom.tests.factories import add_article, paragraph

SECRET_MARKER = "ひみつの本文マーカー"
PUBLIC_LEAD = "有料記事のリードはだれでも読める。"
HOSTILE_HEADLINE = "</script><script>alert(1)</script>"


def add_secret_article(
    site: dict, *, access_level: str = AccessLevel.PAID, **fields
) -> ArticlePage:
    """An article whose body, and only its body, carries SECRET_MARKER."""
    fields.setdefault("title", "有料記事の見出し")
    fields.setdefault("lead", PUBLIC_LEAD)
    return add_article(
        index=site["index"],
        section=site["section"],
        access_level=access_level,
        body=[paragraph(f"続きの本文に{SECRET_MARKER}がある。")],
        **fields,
    )


def visible_text(response) -> str:
    """All a JSON response says, escapes decoded, so a marker cannot hide behind \\uXXXX."""
    return json.dumps(response.json(), ensure_ascii=False)


def add_photo(article: ArticlePage, caption: str = "会見する総裁") -> ArticlePhoto:
    image = get_image_model().objects.create(title=caption, file=get_test_image_file())
    photo = ArticlePhoto(image=image, caption=caption, credit="共同")
    article.photos.add(photo)
    article.save()
    return photo


def make_chart(title: str = "実質GDPの推移") -> Chart:
    return Chart.objects.create(
        title=title,
        unit="%",
        source="内閣府",
        note="季節調整値",
        kind="bar",
        data="四半期,前期比\n1-3月,0.5\n4-6月,▲0.2\n",
    )


def make_staff():
    return UserFactory(is_staff=True)


def make_member():
    return UserFactory()
