"""Writes: register an address for the unlock, confirm it, unsubscribe, link members, count."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from denshiban.access.models import UnlockGrant
from denshiban.access.reading import public_reading
from denshiban.core.dates import JST
from denshiban.newsroom.models import AccessLevel, SectionPage

from . import selectors, tokens
from .models import FunnelDay, Newsletter, Subscriber, SubscriberStatus

if TYPE_CHECKING:
    from denshiban.newsroom.models import ArticlePage

logger = logging.getLogger(__name__)

CONSENT_TEXT = _(
    "入力いただいたメールアドレスは、ニュースレターとキャンペーンのご案内の配信にのみ"
    "利用します。配信はいつでも停止できます。会員アカウントは作成されません。"
)
MORNING_SLUG = "morning"
# Mails to one address per hour, and registrations from one IP address per hour.
ADDRESS_HOURLY_LIMIT = 3
IP_HOURLY_LIMIT = getattr(settings, "NEWSLETTER_IP_HOURLY_LIMIT", 20)
HOUR = 60 * 60


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_REGISTERED = "already_registered"
    NOT_ELIGIBLE = "not_eligible"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Registration:
    outcome: Outcome
    subscriber: Subscriber | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_eligible(article: ArticlePage) -> bool:
    """The unlock applies to live, paywalled articles the editor opened to it."""
    return bool(
        article.live and article.newsletter_unlock and article.access_level != AccessLevel.FREE
    )


def _within_limit(key: str, limit: int) -> bool:
    """Count one use of `key` this hour; False once the limit is passed."""
    cache.add(key, 0, HOUR)
    try:
        used = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this is the first use of a new hour.
        cache.set(key, 1, HOUR)
        used = 1
    return used <= limit


def ip_allowed(ip: str) -> bool:
    return _within_limit(f"newsletters:ip:{ip}", IP_HOURLY_LIMIT)


def address_allowed(email: str) -> bool:
    return _within_limit(f"newsletters:address:{email}", ADDRESS_HOURLY_LIMIT)


def unlock_url(base_url: str, email: str, article_id: int) -> str:
    token = tokens.make_token(email, article_id)
    return base_url.rstrip("/") + reverse("newsletters:unlock", args=[token])


def send_unlock_mail(*, email: str, article: ArticlePage, base_url: str) -> None:
    """The mail with the unlock link. It carries the headline and lead only, never the body."""
    reading = public_reading(article)
    context: dict[str, Any] = {
        "headline": article.title,
        "lead": reading.lead,
        "url": unlock_url(base_url, email, article.pk),
        "valid_days": tokens.LINK_VALIDITY.days,
        "consent_text": str(CONSENT_TEXT),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=gettext("【%(site)s】記事の続きを読むためのリンクをお送りします")
        % {"site": settings.WAGTAIL_SITE_NAME},
        body=render_to_string("newsletters/email/unlock.txt", context),
        to=[email],
    )
    message.attach_alternative(
        render_to_string("newsletters/email/unlock.html", context), "text/html"
    )
    message.send()


def _lists_for(article: ArticlePage) -> list[Newsletter]:
    return list(
        Newsletter.objects.filter(slug=MORNING_SLUG)
        | Newsletter.objects.filter(sections=article.section_id)
    )


def register(*, email: str, article: ArticlePage, base_url: str) -> Registration:
    """Record the address (pending) and mail it an unlock link for `article`.

    Nothing is stored for an article the unlock does not apply to, nor when the mail
    cannot be sent. A confirmed address gets a fresh link and the already-registered answer.
    """
    if not is_eligible(article):
        return Registration(Outcome.NOT_ELIGIBLE)
    email = normalize_email(email)
    if not address_allowed(email):
        return Registration(Outcome.FAILED)
    now = timezone.now()
    try:
        with transaction.atomic():
            subscriber = _record(email=email, article=article, now=now)
            send_unlock_mail(email=email, article=article, base_url=base_url)
    except Exception:
        # The reader gets the failure message; the cause belongs in the log, not the page.
        logger.exception("newsletter registration failed for article %s", article.pk)
        return Registration(Outcome.FAILED)
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return Registration(Outcome.ALREADY_REGISTERED, subscriber)
    return Registration(Outcome.SENT, subscriber)


def _record(*, email: str, article: ArticlePage, now) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None and subscriber.status == SubscriberStatus.CONFIRMED:
        return subscriber
    if subscriber is None:
        subscriber = Subscriber(email=email)
    # A new or returning address (pending again after unsubscribing) agrees to today's text.
    subscriber.status = SubscriberStatus.PENDING
    subscriber.source_article = article
    subscriber.consent_text = str(CONSENT_TEXT)
    subscriber.consented_at = now
    subscriber.user = subscriber.user or selectors.member_with_email(email)
    subscriber.save()
    subscriber.lists.add(*_lists_for(article))
    return subscriber


@transaction.atomic
def confirm_unlock(*, email: str, article: ArticlePage) -> UnlockGrant:
    """Confirm the address (double opt-in) and open the article to it; safe to repeat."""
    email = normalize_email(email)
    now = timezone.now()
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
        email=email,
        defaults={
            "consent_text": str(CONSENT_TEXT),
            "consented_at": now,
            "source_article": article,
            "user": selectors.member_with_email(email),
        },
    )
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["status", "confirmed_at"])
        if not subscriber.lists.exists():
            subscriber.lists.add(*_lists_for(article))
    grant, _created = UnlockGrant.objects.get_or_create(email=email, article=article)
    return grant


@transaction.atomic
def unsubscribe(*, subscriber_id: int, newsletter_id: int | None) -> Subscriber | None:
    """Take the subscriber off one newsletter (or all when `newsletter_id` is None).

    Safe to repeat. Off every list, the address is unsubscribed; registering again from an
    article makes it pending again. Returns None when no such subscriber exists.
    """
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return None
    if newsletter_id is None:
        subscriber.lists.clear()
    else:
        subscriber.lists.remove(newsletter_id)
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED and not subscriber.lists.exists():
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.save(update_fields=["status"])
    return subscriber


class FunnelStep(StrEnum):
    SHOWN = "shown"
    SUBMITTED = "submitted"


def funnel_day() -> date:
    """Today in Japan: the funnel's days turn at 00:00 JST."""
    return timezone.now().astimezone(JST).date()


def count_funnel(*, article_id: int, step: FunnelStep) -> None:
    """Add one to today's (JST) count of `step` for the article.

    An UPDATE with F() adds in the database, so concurrent requests lose no count. When the
    day's row does not exist yet, two requests may both try to create it: the loser meets
    the unique constraint and adds to the winner's row instead.
    """
    day = funnel_day()
    rows = FunnelDay.objects.filter(day=day, article_id=article_id)
    if rows.update(**{step: F(step) + 1}):
        return
    try:
        with transaction.atomic():
            FunnelDay.objects.create(day=day, article_id=article_id, **{step: 1})
    except IntegrityError:
        rows.update(**{step: F(step) + 1})


def link_member(*, user: Any, email: str) -> int:
    """Link the subscriber with this confirmed address to the member; returns how many."""
    return Subscriber.objects.filter(email=normalize_email(email), user__isnull=True).update(
        user=user
    )


def ensure_default_newsletters() -> list[Newsletter]:
    """朝刊ニュースレター and one newsletter per section; safe to run again."""
    morning, _created = Newsletter.objects.get_or_create(
        slug=MORNING_SLUG,
        defaults={
            "name": gettext("朝刊ニュースレター"),
            "description": gettext("朝刊の主な記事を毎朝お届けします。"),
            "schedule": gettext("毎朝7時"),
        },
    )
    newsletters = [morning]
    for section in SectionPage.objects.order_by("position", "pk"):
        newsletter, created = Newsletter.objects.get_or_create(
            slug=f"section-{section.slug}",
            defaults={
                "name": gettext("%(section)sニュースレター") % {"section": section.title},
                "description": gettext("%(section)sの最新記事をお届けします。")
                % {"section": section.title},
                "schedule": gettext("平日18時"),
            },
        )
        if created:
            newsletter.sections.add(section)
        newsletters.append(newsletter)
    return newsletters
