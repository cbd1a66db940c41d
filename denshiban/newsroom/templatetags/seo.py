"""{% article_head_meta reading request %} and {% page_head_meta title description request %}."""

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import mark_safe

from denshiban.access.reading import Reading
from denshiban.newsroom import seo

register = template.Library()


@register.inclusion_tag("components/seo_meta.html")
def article_head_meta(reading: Reading, request: HttpRequest) -> dict[str, Any]:
    head = seo.article_head(reading, request)
    # json_for_script escapes <, > and &, so the JSON cannot close the script element.
    return {"head": head, "json_ld": mark_safe(seo.json_for_script(head["structured_data"]))}  # noqa: S308


@register.inclusion_tag("components/seo_meta.html")
def page_head_meta(title: str, description: str, request: HttpRequest) -> dict[str, Any]:
    return {"head": seo.page_head(str(title), str(description or ""), request), "json_ld": None}
