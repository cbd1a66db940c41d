from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from denshiban.core.http import mark_cacheable_for_guests

from . import selectors
from .models import Chart


def chart_detail(request: HttpRequest, chart_id: int) -> HttpResponse:
    """A chart's own page: the figure, what it shows, and the articles that use it."""
    chart = get_object_or_404(Chart, pk=chart_id)
    context = selectors.chart_page_context(chart=chart)
    return mark_cacheable_for_guests(request, render(request, "charts/chart_detail.html", context))
