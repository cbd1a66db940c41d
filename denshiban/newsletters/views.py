"""Reader-facing newsletter pages: the unlock form and its answer, the emailed unlock link
(GET shows a button, POST unlocks), unsubscribing, and the demo mailbox."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from denshiban.access.readers import keep_unlock_grant
from denshiban.newsroom.models import ArticlePage

from . import selectors, services, tokens
from .forms import RegistrationForm
from .models import Subscriber
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


def _outcome(request: HttpRequest, article: ArticlePage | None, form: RegistrationForm) -> Outcome:
    if article is None or not services.is_eligible(article):
        return Outcome.NOT_ELIGIBLE
    if form.is_robot() or not services.ip_allowed(client_ip(request)):
        return Outcome.FAILED
    if not form.is_valid():
        return Outcome.FAILED
    services.count_funnel(article_id=article.pk, step=services.FunnelStep.SUBMITTED)
    registration = services.register(
        email=form.cleaned_data["email"],
        article=article,
        base_url=request.build_absolute_uri("/"),
    )
    return registration.outcome


@require_GET
def registration_form(request: HttpRequest, article_id: int) -> HttpResponse:
    """The form with this browser's CSRF token, loaded into the cached guest page by htmx.

    The guest page is the same for every guest and sits in the shared cache, so it holds
    only the place for the form; this answer is private and never stored. Without
    JavaScript the paywall links here and the form comes as a page of its own.
    """
    article = selectors.live_article(article_id)
    if article is None or not services.is_eligible(article):
        context = form_area_context(
            article_id=article_id, form=RegistrationForm(), outcome=Outcome.NOT_ELIGIBLE
        )
    else:
        services.count_funnel(article_id=article.pk, step=services.FunnelStep.SHOWN)
        context = form_area_context(article_id=article_id, form=RegistrationForm())
    return _form_answer(request, article, context, page="newsletters/form_page.html")


@require_POST
def register(request: HttpRequest, article_id: int) -> HttpResponse:
    form = RegistrationForm(request.POST)
    article = selectors.live_article(article_id)
    outcome = _outcome(request, article, form)
    context = form_area_context(article_id=article_id, form=form, outcome=outcome)
    return _form_answer(request, article, context, page="newsletters/register_result.html")


def _form_answer(
    request: HttpRequest, article: ArticlePage | None, context: dict[str, Any], *, page: str
) -> HttpResponse:
    """htmx swaps the form area in place; without it the area comes inside a page."""
    if getattr(request, "htmx", False):
        response = render(request, "newsletters/_form_area.html", context)
    else:
        context["article"] = article
        context["article_url"] = article.public_path if article else "/"
        response = render(request, page, context)
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


def mask_email(email: str) -> str:
    """r***@example.jp: enough for the reader to recognise, little for anyone else."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _csrf_refused(request: HttpRequest) -> bool:
    """Run Django's CSRF check on a post the view's exemption let through."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    return check.process_view(request, None, (), {}) is not None


def _is_one_click(request: HttpRequest) -> bool:
    return request.POST.get("List-Unsubscribe") == "One-Click"


# RFC 8058: mail clients post List-Unsubscribe=One-Click with no cookie and no CSRF token;
# the signed link is the authority for that post alone. The page's own buttons are
# ordinary forms, and their posts are CSRF-checked in the view.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows whose address and which newsletter, with two buttons; it changes nothing."""
    try:
        claim = tokens.read_unsubscribe_token(token)
    except tokens.InvalidLink:
        return _invalid_link(request, expired=False)
    if request.method == "GET":
        subscriber = selectors.subscriber(claim.subscriber_id)
        return _unsubscribe_answer(request, "newsletters/unsubscribe.html", claim, subscriber)
    one_click = _is_one_click(request)
    if not one_click and _csrf_refused(request):
        response = render(request, "newsletters/unsubscribe_refused.html", status=403)
        add_never_cache_headers(response)
        return response
    every_list = not one_click and request.POST.get("scope") == "all"
    newsletter_id = None if every_list else claim.newsletter_id
    subscriber = services.unsubscribe(
        subscriber_id=claim.subscriber_id, newsletter_id=newsletter_id
    )
    return _unsubscribe_answer(
        request,
        "newsletters/unsubscribed.html",
        claim,
        subscriber,
        stopped_all=newsletter_id is None,
        one_click=one_click,
    )


def _unsubscribe_answer(
    request: HttpRequest,
    template: str,
    claim: tokens.UnsubscribeClaim,
    subscriber: Subscriber | None,
    *,
    stopped_all: bool = False,
    one_click: bool = False,
) -> HttpResponse:
    newsletter = selectors.newsletter(claim.newsletter_id) if claim.newsletter_id else None
    context = {
        "newsletter": newsletter,
        "masked_email": mask_email(subscriber.email) if subscriber else "",
        "lists": selectors.lists_of(subscriber) if subscriber else [],
        "on_this_list": bool(
            subscriber and newsletter and selectors.is_on_list(subscriber, newsletter)
        ),
        "stopped_all": stopped_all,
        "one_click": one_click,
    }
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """The demo's inbox: the mails the file mailer wrote, so a newcomer can click the links.

    Only where mail goes to files and the site runs in debug (or DEMO_MAILBOX is on); any
    other time the page does not exist.
    """
    folder = selectors.demo_mailbox_folder()
    if folder is None:
        raise Http404
    response = render(request, "newsletters/mailbox.html", {"mails": selectors.sent_mails(folder)})
    add_never_cache_headers(response)
    return response
