"""The reader's registered keywords marked (<mark class="kw">) in what they read.

- ``{% highlight text %}`` — plain text (a headline, a lead), escaped, with the keywords
  marked.
- ``{% highlightblock %}…{% endhighlightblock %}`` — rendered HTML (an article body) with
  the keywords marked in its text only, never in tags or attributes. While the block is
  drawn, the buttons inside it know their reader (mynews_saved.drawing_for).

Only a reader who may register keywords (a paid member, or an editor) and has some gets
marks; for everyone else both tags give exactly what they would without them. A guest's
page costs no query (no session is read beyond what the page already read) and never
holds a mark, so it stays the same for every guest and may sit in the page cache. The
member's keywords are read once per request however many headlines a page shows.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from denshiban.access.permissions import Action, check

from ..keywords.highlight import highlight_html, highlight_text
from ..registrations import keyword_texts
from .mynews_saved import drawing_for

register = template.Library()

_MEMO = "_mynews_highlight_keywords"


def reader_keywords(request: Any) -> tuple[str, ...]:
    """The signed-in paid member's keywords (normalized), remembered on the request."""
    if request is None:
        return ()
    remembered = getattr(request, _MEMO, None)
    if remembered is not None:
        return remembered
    user = getattr(request, "user", None)
    keywords: tuple[str, ...] = ()
    if user is not None and user.is_authenticated and check(user, Action.REGISTER_KEYWORD).allowed:
        keywords = tuple(keyword_texts(user))
    setattr(request, _MEMO, keywords)
    return keywords


def _request(context: template.Context) -> Any:
    # Inclusion tags (a chart's figure) get a new context without the variables of the
    # page, but it still carries the request it was rendered for.
    return context.get("request") or getattr(context, "request", None)


@register.simple_tag(takes_context=True)
def highlight(context: template.Context, text: Any) -> SafeString:
    keywords = reader_keywords(_request(context))
    if not keywords or not text:
        return conditional_escape("" if text is None else text)
    return highlight_text(str(text), keywords)


class HighlightNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        request = _request(context)
        with drawing_for(request):
            rendered = self.nodelist.render(context)
        keywords = reader_keywords(request)
        if not keywords:
            return rendered
        return highlight_html(rendered, keywords)


@register.tag("highlightblock")
def highlightblock(parser: Any, token: template.base.Token) -> HighlightNode:
    nodelist = parser.parse(("endhighlightblock",))
    parser.delete_first_token()
    return HighlightNode(nodelist)
