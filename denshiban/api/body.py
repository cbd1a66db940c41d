"""An article body as plain JSON blocks. Only ever given a body the reading policy released."""

from __future__ import annotations

import html
from typing import Any

from django.http import HttpRequest
from django.utils.html import strip_tags
from wagtail.blocks import StreamValue
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import expand_db_html
from wagtail.whitelist import Whitelister

IMAGE_FILTER = "max-1200x1200"

_whitelister = Whitelister()


def image_out(request: HttpRequest, image: Any) -> dict[str, Any] | None:
    try:
        rendition = image.get_rendition(IMAGE_FILTER)
    except SourceImageIOError:
        return None
    return {
        "url": request.build_absolute_uri(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
    }


def _paragraph(request: HttpRequest, value: Any) -> dict[str, Any]:
    # Rich text stored by code (imports, demo data) skipped the editor's whitelist: clean it.
    cleaned = _whitelister.clean(expand_db_html(value.source))
    return {"type": "paragraph", "html": cleaned, "text": html.unescape(strip_tags(cleaned))}


def _image(request: HttpRequest, value: Any) -> dict[str, Any] | None:
    if value["image"] is None:
        return None
    picture = image_out(request, value["image"])
    if picture is None:
        return None
    return {"type": "image", **picture, "caption": value["caption"], "credit": value["credit"]}


def _chart(request: HttpRequest, value: Any) -> dict[str, Any] | None:
    chart = value["chart"]
    if chart is None:
        return None
    url = request.build_absolute_uri(chart.get_absolute_url())
    return {"type": "chart", "id": chart.pk, "title": chart.title, "url": url}


def body_blocks(request: HttpRequest, body: StreamValue) -> list[dict[str, Any]]:
    """Blocks whose image or chart was deleted are left out rather than sent half-empty."""
    blocks: list[dict[str, Any]] = []
    for block in body:
        value = block.value
        if block.block_type == "paragraph":
            blocks.append(_paragraph(request, value))
        elif block.block_type == "heading":
            blocks.append({"type": "heading", "text": value})
        elif block.block_type == "quote":
            blocks.append(
                {"type": "quote", "text": value["text"], "attribution": value["attribution"]}
            )
        elif block.block_type == "image" and (image := _image(request, value)):
            blocks.append(image)
        elif block.block_type == "chart" and (chart := _chart(request, value)):
            blocks.append(chart)
    return blocks
