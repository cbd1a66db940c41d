"""Member-only buttons (follow here; save and keywords in their own modules) and their gate.

How a page shows a member-only button, and why no per-reader fragment is needed:

- A page rendered for a guest may be stored in the shared page cache and served to every
  guest (core/pagecache.py stores only responses rendered with no session and no cookie).
  So the guest's button must be the same for all guests, and it is:
  ``{% gated_button "save-article" label %}`` renders a disclosure (``<details>``) whose
  summary looks like the button and which opens the gated panel — what the feature does,
  who may use it, 初割で無料体験する and ログイン. It needs no script, no request, no CSRF
  token and no session, so the page stays storable.
- A page rendered for a signed-in reader is never stored (``private, no-store``; the page
  cache is bypassed whenever a session cookie is present), so it carries that reader's
  state inline: a POST form with its CSRF token, which htmx posts and swaps with the answer
  and which, without JavaScript, posts and is redirected back (``next``). A free or lapsed
  member gets the same disclosure as a guest, with 「権限不足のため、フォローできません」.

So every button is rendered with the page, per reader, and costs no extra request. The
only query a page pays for is the member's own state, once per request however many
buttons it shows (`followed_keys` for follows; F2 memoizes saved state the same way).

Tags:

- ``{% gated_panel "follow-topic" [next=path] %}`` — the panel alone (used in htmx answers
  and the refusal pages). Features: follow, follow-topic, save-article, save-chart, keyword
  (gates.features()).
- ``{% gated_button "save-article" "記事を保存する" [next=path] [compact=True] %}`` — the
  guest's (or free member's) button. Render it when ``{% feature_allowed "save-article" %}``
  is false.
- ``{% feature_allowed "save-article" as allowed %}`` — whether this reader may use it.
- ``{% follow_button kind target [name=...] [compact=True] [next=path] %}`` — the follow
  button for a topic, series, company, industry, keyword or expert (a model or an id).
- ``{% mynews_link %}`` — the header's link to Myニュース, shown to paid members.
- ``{% mynews_scripts %}`` — htmx and the handler that lets htmx show refusals (401, 403,
  503 answers) in place; printed once per page however often it is called, and never in
  an htmx answer (the page has htmx already). Put
  ``data-mynews-swap`` on the element whose requests may be answered with a refusal.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from denshiban.access.permissions import Action, check

from .. import follows
from ..gates import follow_feature, gate_for

register = template.Library()


def _request(context: template.Context) -> Any:
    return context.get("request")


@register.inclusion_tag("mynews/_gated_panel.html", takes_context=True)
def gated_panel(context: template.Context, feature: str, next: str | None = None) -> dict:  # noqa: A002
    return {"gate": gate_for(_request(context), feature, next_path=next)}


@register.inclusion_tag("mynews/_gated_button.html", takes_context=True)
def gated_button(
    context: template.Context,
    feature: str,
    label: str,
    next: str | None = None,  # noqa: A002
    compact: bool = False,
) -> dict:
    return {
        "gate": gate_for(_request(context), feature, next_path=next),
        "label": label,
        "compact": compact,
    }


@register.simple_tag(takes_context=True)
def feature_allowed(context: template.Context, feature: str) -> bool:
    return gate_for(_request(context), feature).allowed


@register.simple_tag(takes_context=True)
def follow_button(
    context: template.Context,
    kind: str,
    target: Any,
    name: str | None = None,
    compact: bool = False,
    next: str | None = None,  # noqa: A002
) -> SafeString:
    request = _request(context)
    target_id = getattr(target, "pk", target)
    if target_id is None:
        return mark_safe("")  # noqa: S308 - nothing to follow
    name = name if name is not None else str(getattr(target, "name", ""))
    next_path = next or (request.get_full_path() if request is not None else "/")
    return mark_safe(  # noqa: S308 - rendered by the template engine, which escapes
        render_to_string(
            "mynews/_follow_button.html",
            follow_button_context(
                request,
                kind=kind,
                target_id=int(target_id),
                name=name,
                compact=compact,
                next_path=next_path,
            ),
            request=request,
        )
    )


def follow_button_context(
    request: Any,
    *,
    kind: str,
    target_id: int,
    name: str,
    compact: bool,
    next_path: str,
    following: bool | None = None,
) -> dict[str, Any]:
    """What `_follow_button.html` needs; views answering htmx use it with the new state."""
    gate = gate_for(request, follow_feature(kind), next_path=next_path)
    if gate.allowed and following is None:
        following = (kind, target_id) in follows.followed_keys(request.user, request=request)
    return {
        "gate": gate,
        "kind": kind,
        "target_id": target_id,
        "name": name,
        "compact": compact,
        "next": next_path,
        "following": bool(following),
    }


@register.simple_tag(takes_context=True)
def mynews_link(context: template.Context) -> SafeString:
    """The header's link to Myニュース, for paid members only (no query for guests)."""
    request = _request(context)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not check(user, Action.FOLLOW).allowed:
        return mark_safe("")  # noqa: S308 - empty
    return format_html(
        '<a class="button button--ghost" href="{}">{}</a>',
        reverse("mynews:mynews"),
        _("Myニュース"),
    )


@register.simple_tag(takes_context=True)
def mynews_scripts(context: template.Context) -> SafeString:
    request = _request(context)
    if request is not None:
        # An htmx answer is swapped into a page that has htmx already: loading it again
        # would start a second copy.
        if getattr(request, "_mynews_scripts_done", False) or getattr(request, "htmx", False):
            return mark_safe("")  # noqa: S308 - empty
        request._mynews_scripts_done = True
    return mark_safe(render_to_string("mynews/_scripts.html"))  # noqa: S308 - our template
