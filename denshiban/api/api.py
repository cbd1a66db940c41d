"""The v1 JSON API: one router per domain. Domains never import from here."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import articles, charts, companies, keywords, mynews, saved, sections, series, think, topics


class ReadableJSONRenderer(JSONRenderer):
    """Japanese text as itself rather than \\u escapes: half the bytes, and legible."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="denshiban API",
    version="1",
    description="denshiban 電子版の記事・セクション・トピック・連載・企業・図表。"
    "記事本文は、読者が全文を読める場合にだけ返します。",
    urls_namespace="api-v1",
    docs_url="/docs",
    renderer=ReadableJSONRenderer(),
)

api.add_router("/sections", sections.router)
api.add_router("/articles", articles.router)
api.add_router("/topics", topics.router)
api.add_router("/series", series.router)
api.add_router("/companies", companies.router)
api.add_router("/charts", charts.router)
api.add_router("/keywords", keywords.router)
api.add_router("/saved", saved.router)
api.add_router("/think", think.router)
api.add_router("", mynews.router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("見つかりませんでした。")}, status=404)
