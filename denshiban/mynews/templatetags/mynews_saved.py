"""記事を保存する / 図表を保存する buttons, drawn the way templatetags/mynews.py explains.

- ``{% save_article_button article %}`` — on the article page.
- ``{% save_chart_button chart %}`` — on every chart's figure (components/chart.html).

A guest (and a free or lapsed member) gets the disclosure that opens the gated panel, the
same for every guest, so cached guest pages stay shareable. A paid member gets a POST form
in the state of the moment. The state costs one query for the article and one for all the
charts of a page, read once per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ..gates import gate_for
from ..saving import is_article_saved, saved_chart_ids

register = template.Library()

ARTICLE = "article"
CHART = "chart"
FEATURES = {ARTICLE: "save-article", CHART: "save-chart"}
# Set on a request whose page draws saved charts with buttons of its own.
HIDE_CHART_BUTTONS = "_mynews_hide_chart_save_buttons"


# The request whose article body is being drawn (see drawing_for).
_body_request: ContextVar[Any] = ContextVar("mynews_body_request", default=None)


@contextmanager
def drawing_for(request: Any) -> Iterator[None]:
    """Make the reader known to the buttons drawn inside an article body.

    A chart in the body is drawn by Wagtail's include_block (which renders the block's
    template from a plain dict) and then by the chart_figure inclusion tag (which starts a
    context of its own): neither passes the request on, and the chart's save button needs
    it. The article page's body wrapper ({% highlightblock %}) sets it for the time the
    body is drawn.
    """
    token = _body_request.set(request)
    try:
        yield
    finally:
        _body_request.reset(token)


def _request(context: template.Context) -> Any:
    # On a chart's own page the inclusion tag's context still carries the request it is
    # rendered for (as an attribute, not a variable); inside an article body, see above.
    return context.get("request") or getattr(context, "request", None) or _body_request.get()


def save_button_context(
    request: Any,
    *,
    what: str,
    target_id: int,
    next_path: str,
    saved: bool | None = None,
    compact: bool = False,
) -> dict[str, Any]:
    """What `saved_button.html` needs; the views answering a press use it too."""
    gate = gate_for(request, FEATURES[what], next_path=next_path)
    if gate.allowed and saved is None:
        if what == ARTICLE:
            saved = is_article_saved(request.user, target_id)
        else:
            saved = target_id in saved_chart_ids(request.user, request)
    return {
        "gate": gate,
        "what": what,
        "target_id": target_id,
        "next": next_path,
        "saved": bool(saved),
        "compact": compact,
    }


def _render(request: Any, context: dict[str, Any]) -> SafeString:
    # Rendered by the template engine, which escapes.
    return mark_safe(render_to_string("mynews/saved_button.html", context, request=request))  # noqa: S308


def _next_path(request: Any, next_path: str | None) -> str:
    if next_path:
        return next_path
    return request.get_full_path() if request is not None else "/"


@register.simple_tag(takes_context=True)
def save_article_button(
    context: template.Context,
    article: Any,
    next: str | None = None,  # noqa: A002
) -> SafeString:
    request = _request(context)
    article_id = getattr(article, "pk", article)
    if article_id is None:
        return mark_safe("")  # noqa: S308 - an unsaved preview has nothing to save
    return _render(
        request,
        save_button_context(
            request, what=ARTICLE, target_id=int(article_id), next_path=_next_path(request, next)
        ),
    )


@register.simple_tag(takes_context=True)
def save_chart_button(
    context: template.Context,
    chart: Any,
    next: str | None = None,  # noqa: A002
) -> SafeString:
    request = _request(context)
    chart_id = getattr(chart, "pk", chart)
    if request is None or chart_id is None or getattr(request, HIDE_CHART_BUTTONS, False):
        # Drawn for no reader (outside a page), nothing to save, or the saved charts page,
        # which draws its own remove buttons.
        return mark_safe("")  # noqa: S308 - empty
    return _render(
        request,
        save_button_context(
            request,
            what=CHART,
            target_id=int(chart_id),
            next_path=_next_path(request, next),
            compact=True,
        ),
    )
