"""The subscribe flow (plan → campaign → pay → back to the article), cancel, resume, webhooks."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from denshiban.core.dates import format_jdate

from . import services, webhooks
from .exceptions import AlreadySubscribed, BillingError
from .forms import CardForm, SubscribeForm, SubscriptionActionForm, new_form_token
from .gateways import get_gateway
from .gateways.base import CheckoutRequest
from .models import Subscription, SubscriptionStatus
from .selectors import (
    available_plans,
    campaign_offer,
    current_subscription,
    is_entitled,
    running_campaign,
)

ACCOUNT_PATH = "/account/"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """A path on this site to return to; anything else becomes the account page."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ACCOUNT_PATH


def _subscribe_url(next_path: str) -> str:
    return f"{reverse('billing:subscribe')}?{urlencode({'next': next_path})}"


def _to_sign_up(next_path: str) -> HttpResponse:
    # Most readers arriving from a paywall have no account yet; sign-up links to log-in.
    return redirect_to_login(_subscribe_url(next_path), login_url=reverse("account_signup"))


def _render_subscribe(
    request: HttpRequest,
    *,
    next_path: str,
    form: SubscribeForm | None = None,
    card_form: CardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    subscription = current_subscription(request.user)
    campaign = running_campaign()
    offer = campaign_offer(request.user, campaign) if campaign else None
    gateway = get_gateway()
    if form is None:
        form = SubscribeForm(
            initial={
                "plan": available_plans().values_list("code", flat=True).first(),
                "campaign": campaign.slug if offer and offer.eligible else "",
                "token": new_form_token(),
                "next": next_path,
            }
        )
    if card_form is None and gateway.collects_card:
        card_form = CardForm()
    context = {
        "already_member": is_entitled(subscription),
        "subscription": subscription,
        "offer": offer,
        "form": form,
        "card_form": card_form,
        "next_path": next_path,
    }
    return render(request, "billing/subscribe.html", context, status=status)


@never_cache
@require_GET
def subscribe(request: HttpRequest) -> HttpResponse:
    next_path = _safe_next(request, request.GET.get("next"))
    if not request.user.is_authenticated:
        return _to_sign_up(next_path)
    return _render_subscribe(request, next_path=next_path)


def _success_message(subscription: Subscription) -> str:
    if subscription.status == SubscriptionStatus.TRIALING and subscription.campaign:
        return _(
            "%(name)sのお申し込みが完了しました。%(date)sまで無料ですべての記事をお読みいただけます。"
        ) % {"name": subscription.campaign.name, "date": format_jdate(subscription.trial_ends_at)}
    return _("有料会員のお申し込みが完了しました。")


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # the browser follows with a GET, never re-sending the POST
    return response


@never_cache
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    next_path = _safe_next(request, request.POST.get("next"))
    if not request.user.is_authenticated:
        return _to_sign_up(next_path)
    gateway = get_gateway()
    form = SubscribeForm(request.POST)
    card_form = CardForm(request.POST) if gateway.collects_card else None
    forms_valid = form.is_valid() & (card_form is None or card_form.is_valid())
    if not forms_valid:
        return _render_subscribe(
            request, next_path=next_path, form=form, card_form=card_form, status=400
        )
    try:
        result = gateway.start_checkout(
            CheckoutRequest(
                user=request.user,
                plan=form.cleaned_data["plan"],
                campaign=form.cleaned_data["campaign"],
                idempotency_key=form.cleaned_data["token"],
                success_url=_absolute_return_url(request, next_path),
                cancel_url=request.build_absolute_uri(_subscribe_url(next_path)),
                card=card_form.card() if card_form is not None else None,
            )
        )
    except AlreadySubscribed as error:
        messages.info(request, str(error))
        return _see_other(next_path)
    except BillingError as error:
        form.add_error(None, str(error))
        return _render_subscribe(
            request, next_path=next_path, form=form, card_form=card_form, status=400
        )
    if result.subscription is None:
        return _see_other(result.redirect_url)
    messages.success(request, _success_message(result.subscription))
    return _see_other(next_path)


def _absolute_return_url(request: HttpRequest, next_path: str) -> str:
    back = request.build_absolute_uri(
        f"{reverse('billing:complete')}?{urlencode({'next': next_path})}"
    )
    # Stripe fills in the session id; left out of the escaping, which would hide the braces.
    return f"{back}&session_id={{CHECKOUT_SESSION_ID}}"


@never_cache
@require_GET
def complete(request: HttpRequest) -> HttpResponse:
    """Back from Stripe: the webhook may still be on its way, so wait for it politely."""
    next_path = _safe_next(request, request.GET.get("next"))
    if not request.user.is_authenticated:
        return _to_sign_up(next_path)
    subscription = current_subscription(request.user)
    if is_entitled(subscription):
        messages.success(request, _success_message(subscription))
        return redirect(next_path)
    return render(request, "billing/complete.html", {"next_path": next_path})


def _cancel(subscription: Subscription) -> str:
    services.cancel_at_period_end(subscription=subscription)
    get_gateway(subscription.gateway).cancel_at_period_end(subscription)
    return _("解約を受け付けました。%(date)sまでは引き続きすべての記事をお読みいただけます。") % {
        "date": format_jdate(subscription.current_period_end)
    }


def _resume(subscription: Subscription) -> str:
    services.resume(subscription=subscription)
    get_gateway(subscription.gateway).resume(subscription)
    return _("解約を取り消しました。引き続き有料会員としてご利用いただけます。")


def _subscription_action(
    request: HttpRequest, action: Callable[[Subscription], str]
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(ACCOUNT_PATH, login_url=settings.LOGIN_URL)
    form = SubscriptionActionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    next_path = _safe_next(request, form.cleaned_data["next"])
    subscription = form.subscription_of(request.user)
    if subscription is None:
        return HttpResponse(status=404)
    try:
        # Our state first, so a refused move never reaches the gateway; a gateway failure
        # rolls our change back.
        with transaction.atomic():
            message = action(subscription)
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return _see_other(next_path)


@never_cache
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    return _subscription_action(request, _cancel)


@never_cache
@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    return _subscription_action(request, _resume)


@csrf_exempt  # Stripe cannot send our CSRF token; the signature stands in for it
@never_cache
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    receipt = webhooks.receive_stripe_event(
        payload=request.body, signature=request.headers.get("Stripe-Signature", "")
    )
    return JsonResponse({"detail": receipt.detail}, status=receipt.status)
