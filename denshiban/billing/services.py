"""Writes about membership: every change of a subscription's state goes through here.

The states and the moves between them (a move not listed raises IllegalTransition):

    trialing ─┬─ paid invoice ──────────► active ◄── renewal (paid invoice)
              ├─ failed invoice ────────► past_due
    active ───┼─ failed invoice ────────► past_due ── paid invoice ──► active
    any of these ── cancel ─────────────► canceled (entitled until current_period_end)
    canceled ── resume before period end ► trialing / active / past_due (as before)
    any current ── period over / deleted ► expired (a new Subscription may start later)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import (
    AlreadySubscribed,
    CampaignNotEligible,
    CannotResume,
    IllegalTransition,
    PlanUnavailable,
)
from .models import (
    CURRENT_STATUSES,
    Campaign,
    Gateway,
    Payment,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from .periods import add_months, period_end
from .selectors import campaign_offer, is_entitled

logger = logging.getLogger(__name__)

S = SubscriptionStatus

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    S.TRIALING: frozenset({S.ACTIVE, S.PAST_DUE, S.CANCELED, S.EXPIRED}),
    S.ACTIVE: frozenset({S.ACTIVE, S.PAST_DUE, S.CANCELED, S.EXPIRED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.PAST_DUE, S.CANCELED, S.EXPIRED}),
    S.CANCELED: frozenset({S.TRIALING, S.ACTIVE, S.PAST_DUE, S.EXPIRED}),
    S.EXPIRED: frozenset(),
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_user(user: Any) -> None:
    """Serialize a reader's billing writes, so a double submission cannot start two."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def _forget_membership(user: Any) -> None:
    # selectors.is_paid_member memoizes on the user object; this request must see the change.
    user.__dict__.pop("_denshiban_paid_member", None)


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)


def _illegal(subscription: Subscription) -> IllegalTransition:
    return IllegalTransition(
        _("現在の購読の状態(%(status)s)では、この操作はできません。")
        % {"status": subscription.get_status_display()}
    )


def _require(subscription: Subscription, states: frozenset[str]) -> None:
    if subscription.status not in states:
        raise _illegal(subscription)


def _move(subscription: Subscription, to: str) -> None:
    if to not in ALLOWED_MOVES[subscription.status]:
        raise _illegal(subscription)
    subscription.status = to


def _save(subscription: Subscription, original: Subscription) -> Subscription:
    subscription.save()
    # Callers hold their own instance; keep it in step with what was stored.
    original.refresh_from_db()
    _forget_membership(original.user)
    return original


def _record_payment(
    subscription: Subscription,
    *,
    status: str,
    amount_yen: int,
    reference: str,
    period_start: datetime,
    period_end: datetime,
) -> Payment:
    return Payment.objects.create(
        subscription=subscription,
        amount_yen=amount_yen,
        status=status,
        description=_("%(plan)s 利用料") % {"plan": subscription.plan.name},
        period_start=period_start,
        period_end=period_end,
        gateway_reference=reference,
    )


def _already_recorded(subscription: Subscription, reference: str, status: str) -> bool:
    """A gateway may report one invoice twice (invoice.paid and invoice.payment_succeeded)."""
    if not reference:
        return False
    return subscription.payments.filter(gateway_reference=reference, status=status).exists()


def ensure_campaign_applies(
    *, user: Any, plan: Plan, campaign: Campaign, now: datetime | None = None
) -> None:
    """Raise CampaignNotEligible, with the reason in Japanese, unless `user` may take it."""
    now = _now(now)
    if not (campaign.starts_at <= now < campaign.ends_at):
        raise CampaignNotEligible(
            _("%(name)sの受付期間外です。通常料金でお申し込みいただけます。")
            % {"name": campaign.name}
        )
    if not campaign.plans.filter(pk=plan.pk).exists():
        raise CampaignNotEligible(
            _("%(name)sはこのプランではご利用いただけません。") % {"name": campaign.name}
        )
    offer = campaign_offer(user, campaign, now=now)
    if not offer.eligible:
        raise CampaignNotEligible(offer.message)


def ensure_may_subscribe(
    *, user: Any, plan: Plan, campaign: Campaign | None, now: datetime | None = None
) -> None:
    """The checks made before any money moves: plan open, not yet a member, campaign allowed."""
    if not plan.is_active:
        raise PlanUnavailable()
    current = Subscription.objects.filter(user=user, status__in=CURRENT_STATUSES).first()
    if current is not None and is_entitled(current):
        raise AlreadySubscribed()
    if campaign is not None:
        ensure_campaign_applies(user=user, plan=plan, campaign=campaign, now=now)


def _make_room(*, user: Any, now: datetime) -> None:
    """Expire a current subscription whose period ran out before the tick saw it."""
    current = (
        Subscription.objects.select_for_update().filter(user=user, status__in=CURRENT_STATUSES)
    ).first()
    if current is None:
        return
    if is_entitled(current):
        raise AlreadySubscribed()
    expire(subscription=current, now=now)


def _create(**fields: Any) -> Subscription:
    try:
        # A savepoint: the constraint is the last word if two requests slip past the lock.
        with transaction.atomic():
            return Subscription.objects.create(**fields)
    except IntegrityError as error:
        raise AlreadySubscribed() from error


@transaction.atomic
def start_subscription(
    *,
    user: Any,
    plan: Plan,
    campaign: Campaign | None,
    gateway: str,
    idempotency_key: str = "",
    payment_reference: str = "",
    now: datetime | None = None,
) -> Subscription:
    """Begin a membership we charge ourselves for (the sandbox gateway).

    With a campaign the reader is eligible for: a free trial of campaign.trial_months, no
    charge. Without: an active first period and its Payment. The same form token twice
    returns the subscription the first submission made.
    """
    now = _now(now)
    _lock_user(user)
    if idempotency_key:
        earlier = Subscription.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    _make_room(user=user, now=now)
    ensure_may_subscribe(user=user, plan=plan, campaign=campaign, now=now)
    common = {
        "user": user,
        "plan": plan,
        "campaign": campaign,
        "gateway": gateway,
        "idempotency_key": idempotency_key,
        "started_at": now,
        "current_period_start": now,
    }
    if campaign is not None:
        trial_end = add_months(now, campaign.trial_months)
        subscription = _create(
            **common, status=S.TRIALING, trial_ends_at=trial_end, current_period_end=trial_end
        )
    else:
        subscription = _create(**common, status=S.ACTIVE, current_period_end=period_end(plan, now))
        _record_payment(
            subscription,
            status=PaymentStatus.PAID,
            amount_yen=plan.price_yen,
            reference=payment_reference,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )
    _forget_membership(user)
    return subscription


@transaction.atomic
def record_gateway_subscription(
    *,
    user: Any,
    plan: Plan,
    campaign: Campaign | None,
    gateway: str,
    customer_id: str,
    subscription_id: str,
    trial_ends_at: datetime | None,
    period_start: datetime,
    period_end: datetime,
    now: datetime | None = None,
) -> Subscription:
    """Mirror a subscription the gateway started (Stripe Checkout); once per gateway id.

    The gateway already applied the campaign it was asked for, so eligibility is not
    judged again here; payments arrive with the gateway's invoices.
    """
    now = _now(now)
    _lock_user(user)
    known = Subscription.objects.filter(
        gateway=gateway, gateway_subscription_id=subscription_id
    ).first()
    if known is not None:
        return known
    _make_room(user=user, now=now)
    in_trial = trial_ends_at is not None and trial_ends_at > now
    subscription = _create(
        user=user,
        plan=plan,
        campaign=campaign if in_trial else None,
        gateway=gateway,
        gateway_customer_id=customer_id,
        gateway_subscription_id=subscription_id,
        status=S.TRIALING if in_trial else S.ACTIVE,
        started_at=now,
        trial_ends_at=trial_ends_at if in_trial else None,
        current_period_start=period_start,
        current_period_end=period_end,
    )
    _forget_membership(user)
    return subscription


def _paid(
    subscription: Subscription,
    *,
    allowed_from: frozenset[str],
    period_start: datetime,
    period_end: datetime,
    amount_yen: int,
    reference: str,
) -> Subscription:
    locked = _locked(subscription)
    if _already_recorded(locked, reference, PaymentStatus.PAID):
        return subscription
    _require(locked, allowed_from)
    _move(locked, S.ACTIVE)
    locked.current_period_start = period_start
    locked.current_period_end = period_end
    _record_payment(
        locked,
        status=PaymentStatus.PAID,
        amount_yen=amount_yen,
        reference=reference,
        period_start=period_start,
        period_end=period_end,
    )
    return _save(locked, subscription)


@transaction.atomic
def activate(
    *,
    subscription: Subscription,
    period_start: datetime,
    period_end: datetime,
    amount_yen: int,
    reference: str,
) -> Subscription:
    """Trialing or past due → active: the first invoice after the trial, or a late one, paid."""
    return _paid(
        subscription,
        allowed_from=frozenset({S.TRIALING, S.PAST_DUE}),
        period_start=period_start,
        period_end=period_end,
        amount_yen=amount_yen,
        reference=reference,
    )


@transaction.atomic
def renew(
    *,
    subscription: Subscription,
    period_start: datetime,
    period_end: datetime,
    amount_yen: int,
    reference: str,
) -> Subscription:
    """Active → active: the next period's invoice was paid, so the period moves on."""
    return _paid(
        subscription,
        allowed_from=frozenset({S.ACTIVE}),
        period_start=period_start,
        period_end=period_end,
        amount_yen=amount_yen,
        reference=reference,
    )


@transaction.atomic
def record_paid_invoice(
    *,
    subscription: Subscription,
    period_start: datetime,
    period_end: datetime,
    amount_yen: int,
    reference: str,
) -> Subscription:
    """A paid invoice, whatever the state: activates a trial or a past-due, renews an active."""
    action = renew if subscription.status == S.ACTIVE else activate
    return action(
        subscription=subscription,
        period_start=period_start,
        period_end=period_end,
        amount_yen=amount_yen,
        reference=reference,
    )


@transaction.atomic
def mark_past_due(
    *,
    subscription: Subscription,
    amount_yen: int,
    reference: str,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
) -> Subscription:
    """Trialing or active → past due: an invoice failed. Records the failed Payment."""
    locked = _locked(subscription)
    if _already_recorded(locked, reference, PaymentStatus.FAILED):
        return subscription
    _require(locked, frozenset({S.TRIALING, S.ACTIVE, S.PAST_DUE}))
    _move(locked, S.PAST_DUE)
    _record_payment(
        locked,
        status=PaymentStatus.FAILED,
        amount_yen=amount_yen,
        reference=reference,
        period_start=period_start or locked.current_period_start,
        period_end=period_end or locked.current_period_end,
    )
    return _save(locked, subscription)


@transaction.atomic
def cancel_at_period_end(
    *, subscription: Subscription, now: datetime | None = None
) -> Subscription:
    """Trialing, active or past due → canceled: still entitled until current_period_end."""
    locked = _locked(subscription)
    if locked.status == S.CANCELED:
        raise IllegalTransition(_("すでに解約のお手続きが済んでいます。"))
    _move(locked, S.CANCELED)
    locked.canceled_at = _now(now)
    return _save(locked, subscription)


def _status_before_cancel(subscription: Subscription, now: datetime) -> str:
    if subscription.trial_ends_at is not None and now < subscription.trial_ends_at:
        return S.TRIALING
    last = subscription.payments.order_by("-created_at", "-pk").first()
    if last is not None and last.status == PaymentStatus.FAILED:
        return S.PAST_DUE
    return S.ACTIVE


@transaction.atomic
def resume(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Canceled → the state it had (trialing, active or past due), if the period is not over."""
    now = _now(now)
    locked = _locked(subscription)
    if locked.status != S.CANCELED:
        raise IllegalTransition(_("解約のお手続きがないため、取り消す必要はありません。"))
    if locked.current_period_end <= now:
        raise CannotResume()
    _move(locked, _status_before_cancel(locked, now))
    locked.canceled_at = None
    return _save(locked, subscription)


@transaction.atomic
def expire(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Any current state → expired: the period ran out, or the gateway deleted it."""
    locked = _locked(subscription)
    _move(locked, S.EXPIRED)
    locked.ended_at = _now(now)
    return _save(locked, subscription)


@transaction.atomic
def sync_from_gateway(
    *,
    subscription: Subscription,
    status: str,
    cancel_requested: bool,
    period_start: datetime,
    period_end: datetime,
    trial_ends_at: datetime | None,
    now: datetime | None = None,
) -> Subscription:
    """Take the gateway's view of a subscription it changed (Stripe's subscription.updated).

    Dates come from the gateway as they are; state changes go through the same moves as
    everywhere else, so an impossible one still raises.
    """
    now = _now(now)
    if status == S.EXPIRED:
        return expire(subscription=subscription, now=now)
    locked = _locked(subscription)
    locked.current_period_start = period_start
    locked.current_period_end = period_end
    locked.trial_ends_at = trial_ends_at
    locked.save()
    if cancel_requested and locked.status != S.CANCELED:
        cancel_at_period_end(subscription=locked, now=now)
    elif not cancel_requested and locked.status == S.CANCELED:
        resume(subscription=locked, now=now)
    elif not cancel_requested and locked.status != status:
        _move(locked, status)
        locked.save()
    return _save(locked, subscription)


@dataclass(frozen=True)
class TickReport:
    expired: int
    renewed: int


def _renew_sandbox(subscription: Subscription, now: datetime) -> int:
    """The sandbox charges the card on file itself: one paid period at a time until today."""
    periods = 0
    while subscription.current_period_end <= now:
        start = subscription.current_period_end
        subscription = record_paid_invoice(
            subscription=subscription,
            period_start=start,
            period_end=period_end(subscription.plan, start),
            amount_yen=subscription.plan.price_yen,
            reference=f"sandbox-{subscription.pk}-{start:%Y%m%d%H%M%S}",
        )
        periods += 1
    return periods


def run_billing_tick(*, now: datetime | None = None) -> TickReport:
    """Close the periods that have run out; safe to run any number of times.

    Canceled (and, in the sandbox, past-due) subscriptions past their period end expire.
    Sandbox trials and active periods that ended turn into paid periods. A Stripe
    subscription that is not canceled is left to Stripe: its webhooks renew or delete it,
    and until then it simply stops entitling at its period end.
    """
    now = _now(now)
    expired = renewed = 0
    due = Subscription.objects.select_related("plan", "user").filter(
        status__in=CURRENT_STATUSES, current_period_end__lte=now
    )
    for subscription in due:
        in_sandbox = subscription.gateway == Gateway.SANDBOX
        if subscription.status == S.CANCELED or (in_sandbox and subscription.status == S.PAST_DUE):
            expire(subscription=subscription, now=now)
            expired += 1
        elif in_sandbox:
            renewed += _renew_sandbox(subscription, now)
    if expired or renewed:
        logger.info("billing tick: %s expired, %s periods renewed", expired, renewed)
    return TickReport(expired=expired, renewed=renewed)
