from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from denshiban.access.readers import reader_from_request
from denshiban.core.http import mark_cacheable_for_guests

from . import selectors
from .models import Chart


def chart_detail(request: HttpRequest, chart_id: int) -> HttpResponse:
    """A chart's own page: the figure, what it shows, and the articles that use it."""
    chart = get_object_or_404(Chart, pk=chart_id)
    if not selectors.chart_visible_to(reader_from_request(request), chart):
        # The chart belongs to articles this reader may not read: say so, show none of it.
        context = {"articles": selectors.articles_using_chart(chart)}
        response = render(request, "charts/chart_gated.html", context, status=403)
        return mark_cacheable_for_guests(request, response)
    context = selectors.chart_page_context(chart=chart)
    return mark_cacheable_for_guests(request, render(request, "charts/chart_detail.html", context))
