"""{% chart_figure chart %}: a chart as a figure with its picture, its data table and its source."""

from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from denshiban.charts.data import ChartData, ChartDataError
from denshiban.charts.models import Chart, ChartKind
from denshiban.charts.svg import DRAWN_KINDS, describe, format_number, pie_slices, render_svg

register = template.Library()

# A page may show one chart twice (in an article and in a list beside it); each drawing needs
# its own element ids, and a counter keeps them unique within the process that renders the page.
_renders = itertools.count(1)


def _table(data: ChartData, kind: str) -> dict[str, Any]:
    headings = [data.label_heading or _("項目"), *(series.name for series in data.series)]
    rows = [(label, [format_number(v) for v in values]) for label, values in data.rows()]
    if kind == ChartKind.PIE:
        headings.append(_("構成比(%)"))
        slices = pie_slices(data.labels, data.series[0].values)
        for (_label, cells), piece in zip(rows, slices, strict=True):
            cells.append(format_number(piece.share))
    return {"headings": headings, "rows": rows}


@register.inclusion_tag("components/chart.html")
def chart_figure(chart: Chart | None, *, link: bool = True, large: bool = False) -> dict[str, Any]:
    """`link` shows the way to the chart's own page; that page itself passes link=False."""
    if chart is None:
        return {"chart": None}
    figure_id = f"chart-{chart.pk}-{next(_renders)}"
    context: dict[str, Any] = {
        "chart": chart,
        "figure_id": figure_id,
        "link": link,
        "large": large,
    }
    try:
        data = chart.parsed
    except ChartDataError:
        return {**context, "broken": True}
    summary = describe(data, kind=chart.kind, kind_label=chart.get_kind_display(), unit=chart.unit)
    svg = None
    if chart.kind in DRAWN_KINDS:
        markup = render_svg(
            data,
            kind=chart.kind,
            title=chart.title,
            description=summary,
            unit=chart.unit,
            id_prefix=figure_id,
        )
        # render_svg escapes every text that comes from the chart's data.
        svg = mark_safe(markup)  # noqa: S308
    return {**context, "svg": svg, "summary": summary, "table": _table(data, chart.kind)}
