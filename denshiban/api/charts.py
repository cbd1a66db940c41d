"""GET /charts/{id}: a chart's data as labels and series values."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from denshiban.charts.models import Chart

from .caching import cache_publicly
from .schemas import ChartOut, ErrorOut

router = Router(tags=["図表"])


def chart_out(request: HttpRequest, chart: Chart) -> dict[str, Any]:
    data = chart.parsed
    return {
        "id": chart.pk,
        "title": chart.title,
        "unit": chart.unit,
        "source": chart.source,
        "note": chart.note,
        "kind": chart.kind,
        "url": request.build_absolute_uri(chart.get_absolute_url()),
        "data": {
            "label_heading": data.label_heading,
            "labels": list(data.labels),
            "series": [
                {"name": s.name, "values": [float(v) for v in s.values]} for s in data.series
            ],
        },
    }


@router.get("/{int:chart_id}", response={200: ChartOut, 404: ErrorOut}, summary="図表のデータ")
def get_chart(request: HttpRequest, response: HttpResponse, chart_id: int) -> dict[str, Any]:
    chart = get_object_or_404(Chart, pk=chart_id)
    cache_publicly(response)
    return chart_out(request, chart)
