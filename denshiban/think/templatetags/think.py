"""Think! in templates: the block beside an article and the count beside a headline.

`{% think_counts articles as think_counts %}` reads the counts of a whole list in one query;
`{% think_count article %}` then only looks its article up. An item drawn by a template that
did not ask for the list's counts (the home page's top stories, a chart's articles) finds
the list it belongs to in the template's context and reads the counts of all of it at once,
so a list still costs one query, not one per item.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from denshiban.think import selectors
from denshiban.think.block import block_context

register = template.Library()

_REQUEST_COUNTS = "_think_counts"


def _remembered(request: Any) -> dict[int, int]:
    """Counts already read while drawing this page (a request-long memo)."""
    if request is None:
        return {}
    counts = getattr(request, _REQUEST_COUNTS, None)
    if counts is None:
        counts = {}
        setattr(request, _REQUEST_COUNTS, counts)
    return counts


@register.inclusion_tag("think/_block.html", takes_context=True)
def think_block(context: template.Context, article: Any) -> dict[str, Any]:
    if article.pk is None:
        # An editor's preview of an article never saved: nothing can be commented on yet.
        return {"article_id": None}
    request = context.get("request")
    sort = request.GET.get("think_sort") if request is not None else None
    block = block_context(
        request=request, article_id=article.pk, article_path=article.public_path, sort=sort
    )
    # The page loads htmx once for the member's block; the block's own answers do not.
    block["with_scripts"] = not block["locked"]
    return block


@register.simple_tag(takes_context=True)
def think_counts(context: template.Context, articles: Iterable[Any]) -> dict[int, int]:
    ids = [article.pk for article in articles]
    remembered = _remembered(context.get("request"))
    missing = [pk for pk in ids if pk not in remembered]
    if missing:
        counts = selectors.comment_counts(missing)
        remembered.update({pk: counts.get(pk, 0) for pk in missing})
    return {pk: remembered.get(pk, 0) for pk in ids}


def _siblings(context: template.Context, article: Any) -> list[Any]:
    """The list in the context that `article` is an item of (itself alone if none is)."""
    for layer in reversed(context.dicts):
        for value in layer.values():
            if isinstance(value, list | tuple) and any(item is article for item in value):
                return [item for item in value if getattr(item, "pk", None) is not None]
    return [article]


@register.simple_tag(takes_context=True)
def think_count(context: template.Context, article: Any) -> SafeString | str:
    counts = context.get("think_counts")
    if not isinstance(counts, dict) or article.pk not in counts:
        remembered = _remembered(context.get("request"))
        if article.pk in remembered:
            counts = remembered
        else:
            counts = think_counts(context, _siblings(context, article))
    count = counts.get(article.pk, 0)
    if not count:
        return ""
    return format_html(
        '<span class="think-count" title="{}">'
        '<span class="think-count__label">Think!</span> {}</span>',
        _("エキスパートのコメント"),
        count,
    )
