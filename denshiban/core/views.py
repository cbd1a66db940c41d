"""Japanese error pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("errors/404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may lie in whatever a context processor touches.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
