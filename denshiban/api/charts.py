"""GET /charts/{id}: a chart's data as labels and series values."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from denshiban.access.readers import reader_from_request
from denshiban.charts.models import Chart
from denshiban.charts.selectors import chart_visible_to
from denshiban.core.http import mark_cacheable_for_guests

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


@router.get(
    "/{int:chart_id}",
    response={200: ChartOut, 403: ErrorOut, 404: ErrorOut},
    summary="図表のデータ",
)
def get_chart(request: HttpRequest, response: HttpResponse, chart_id: int) -> Any:
    chart = get_object_or_404(Chart, pk=chart_id)
    mark_cacheable_for_guests(request, response)
    if not chart_visible_to(reader_from_request(request), chart):
        return Status(403, {"detail": "この図表は会員向けの記事に掲載されています。"})
    return chart_out(request, chart)
