"""GET /sections: the paper's sections in their order, with their feed addresses."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from denshiban.newsroom.models import SectionPage

from . import serialize
from .caching import cache_publicly
from .schemas import SectionOut

router = Router(tags=["セクション"])


@router.get("", response=list[SectionOut], summary="セクションの一覧")
def list_sections(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    cache_publicly(response)
    sections = SectionPage.objects.live().order_by("position", "title")
    return [serialize.section_out(request, section) for section in sections]
