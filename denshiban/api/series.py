"""GET /series and /series/{slug}: 連載 and コラム."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from denshiban.newsroom.models import Series

from . import serialize
from .caching import cache_publicly
from .schemas import ErrorOut, SeriesDetail, SeriesOut

router = Router(tags=["連載・コラム"])


def series_out(request: HttpRequest, series: Series) -> dict[str, Any]:
    return {**serialize.series_ref(request, series), "description": series.description}


@router.get("", response=list[SeriesOut], summary="連載・コラムの一覧")
def list_series(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    cache_publicly(response)
    return [series_out(request, series) for series in Series.objects.all()]


@router.get(
    "/{slug}", response={200: SeriesDetail, 404: ErrorOut}, summary="連載・コラムと最新記事"
)
def get_series(request: HttpRequest, response: HttpResponse, slug: str) -> dict[str, Any]:
    series = get_object_or_404(Series, slug=slug)
    cache_publicly(response)
    latest = serialize.article_items().filter(series=series)
    return {**series_out(request, series), "latest": serialize.latest_items(request, latest)}
