"""The unlock form's answer and the emailed link (GET shows a button, POST unlocks)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from denshiban.access.readers import keep_unlock_grant

from . import selectors, services, tokens
from .forms import RegistrationForm
from .services import Outcome

# PRODUCT.md's words, used as they are.
MESSAGES = {
    Outcome.SENT: (
        _("ご登録ありがとうございました。"),
        _(
            "入力いただいたメールアドレスにメールを送付しました。"
            "メールのリンクをクリックすると記事全文をお読みいただけます。"
        ),
    ),
    Outcome.ALREADY_REGISTERED: (
        _("登録済みです。"),
        _(
            "入力いただきましたメールアドレスは既に登録済みとなっております。"
            "ニュースレターの配信をお待ち下さい。"
        ),
    ),
    Outcome.NOT_ELIGIBLE: (
        _("登録できませんでした。"),
        _("ニュースレターの登録に失敗しました。ご覧頂いている記事は、対象外になっています。"),
    ),
    Outcome.FAILED: (
        _("登録できませんでした。"),
        _("エラーが発生し、登録できませんでした。"),
    ),
}


def form_area_context(
    *, article_id: int, form: RegistrationForm, outcome: Outcome | None = None
) -> dict[str, Any]:
    title, message = MESSAGES[outcome] if outcome else ("", "")
    return {
        "article_id": article_id,
        "form": form,
        "consent_text": services.CONSENT_TEXT,
        "outcome": str(outcome or ""),
        "result_title": title,
        "result_message": message,
        # After a failure the reader may try again; the other answers end the exchange.
        "show_form": outcome in (None, Outcome.FAILED),
    }


def client_ip(request: HttpRequest) -> str:
    """The caller's address, found the way the account rate limits find it."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


def _from_another_site(request: HttpRequest) -> bool:
    """A browser posting from another site says so in Origin; such posts are refused."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    return urlsplit(origin).netloc != request.get_host()


def _outcome(request: HttpRequest, article_id: int, form: RegistrationForm) -> Outcome:
    if _from_another_site(request):
        return Outcome.FAILED
    article = selectors.live_article(article_id)
    if article is None or not services.is_eligible(article.specific):
        return Outcome.NOT_ELIGIBLE
    if form.is_robot() or not services.ip_allowed(client_ip(request)):
        return Outcome.FAILED
    if not form.is_valid():
        return Outcome.FAILED
    registration = services.register(
        email=form.cleaned_data["email"],
        article=article.specific,
        base_url=request.build_absolute_uri("/"),
    )
    return registration.outcome


# The form sits on guest article pages kept in the shared cache, which cannot carry a
# per-browser CSRF token. Instead a post whose Origin names another site is refused (every
# browser sends Origin on a cross-site POST). The view uses no session or cookie and acts
# only for the typed address, under the address and IP limits, with double opt-in.
@csrf_exempt
@require_POST
def register(request: HttpRequest, article_id: int) -> HttpResponse:
    form = RegistrationForm(request.POST)
    outcome = _outcome(request, article_id, form)
    context = form_area_context(article_id=article_id, form=form, outcome=outcome)
    if getattr(request, "htmx", False):
        response = render(request, "newsletters/_form_area.html", context)
    else:
        article = selectors.live_article(article_id)
        context["article_url"] = article.specific.public_path if article else "/"
        response = render(request, "newsletters/register_result.html", context)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows the button, so mail scanners that open the link change nothing."""
    try:
        claim = tokens.read_token(token)
    except tokens.InvalidLink as invalid:
        return _invalid_link(request, expired=invalid.expired)
    article = selectors.live_article(claim.article_id)
    if article is None:
        return _invalid_link(request, expired=False)
    article = article.specific
    if request.method == "POST":
        grant = services.confirm_unlock(email=claim.email, article=article)
        keep_unlock_grant(request.session, grant.pk)
        response: HttpResponse = HttpResponseRedirect(article.public_path)
    else:
        response = render(request, "newsletters/unlock.html", {"article": article})
    add_never_cache_headers(response)
    return response


def _invalid_link(request: HttpRequest, *, expired: bool) -> HttpResponse:
    response = render(request, "newsletters/unlock_invalid.html", {"expired": expired}, status=400)
    add_never_cache_headers(response)
    return response


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Placeholder until the unsubscribe page lands."""
    raise PermissionDenied
