"""Reads for newsletters: members and articles, subscribers and their lists, the demo mailbox."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils.html import strip_tags

from denshiban.newsroom.models import ArticlePage

from .models import Newsletter, Subscriber

FILE_MAILER = "django.core.mail.backends.filebased.EmailBackend"
# The file mailer ends every message with a line of 79 dashes.
MAIL_SEPARATOR = re.compile(rb"^-{79}\r?\n", re.MULTILINE)
MAILBOX_LIMIT = 50


def member_with_email(email: str) -> Any | None:
    """The member who confirmed this address, if any (an unconfirmed claim links nothing)."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def live_article(article_id: int) -> ArticlePage | None:
    return ArticlePage.objects.live().filter(pk=article_id).first()


def subscriber(subscriber_id: int) -> Subscriber | None:
    return Subscriber.objects.filter(pk=subscriber_id).first()


def newsletter(newsletter_id: int) -> Newsletter | None:
    return Newsletter.objects.filter(pk=newsletter_id).first()


def lists_of(subscriber: Subscriber) -> list[Newsletter]:
    return list(subscriber.lists.order_by("pk"))


def is_on_list(subscriber: Subscriber, newsletter: Newsletter) -> bool:
    return subscriber.lists.filter(pk=newsletter.pk).exists()


@dataclass(frozen=True, slots=True)
class SentMail:
    sent_at: datetime | None
    to: str
    subject: str
    text: str


def demo_mailbox_folder() -> Path | None:
    """Where the file mailer writes, when the demo mailbox may show it; otherwise None.

    Shown only when the default mailer writes files (no SMTP server configured) and the site
    runs in debug or with DEMO_MAILBOX on: real mail never goes through here.
    """
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    if mailer.get("BACKEND") != FILE_MAILER:
        return None
    if not (settings.DEBUG or getattr(settings, "DEMO_MAILBOX", False)):
        return None
    folder = mailer.get("OPTIONS", {}).get("file_path")
    return Path(folder) if folder else None


def sent_mails(folder: Path, *, limit: int = MAILBOX_LIMIT) -> list[SentMail]:
    """The newest `limit` mails the file mailer wrote into `folder`, newest first.

    Each file holds the messages one connection wrote, oldest first; the files are read
    newest first until enough messages are found.
    """
    files = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True)
    mails: list[SentMail] = []
    for path in files:
        chunks = [chunk for chunk in MAIL_SEPARATOR.split(path.read_bytes()) if chunk.strip()]
        mails.extend(_read_mail(chunk) for chunk in reversed(chunks))
        if len(mails) >= limit:
            break
    dated = sorted((m for m in mails if m.sent_at), key=lambda m: m.sent_at, reverse=True)
    undated = [m for m in mails if m.sent_at is None]
    return (dated + undated)[:limit]


def _read_mail(raw: bytes) -> SentMail:
    message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)
    sent_at = getattr(message["Date"], "datetime", None)
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)  # "-0000": a time in UTC, zone unknown
    return SentMail(
        sent_at=sent_at,
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        text=_text_of(message),
    )


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return part.get_content().strip()
    part = message.get_body(preferencelist=("html",))
    return strip_tags(part.get_content()).strip() if part is not None else ""
