"""The signed unlock link: bound to one address and one article, valid for 7 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

SALT = "denshiban.newsletters.unlock"
LINK_VALIDITY = timedelta(days=7)


class InvalidLink(Exception):
    """The link was forged, altered or has expired; `expired` tells which."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


@dataclass(frozen=True, slots=True)
class UnlockClaim:
    email: str
    article_id: int


def make_token(email: str, article_id: int) -> str:
    signer = signing.TimestampSigner(salt=SALT)
    return signer.sign_object({"e": email, "a": article_id}, compress=True)


def read_token(token: str) -> UnlockClaim:
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=LINK_VALIDITY)
    except signing.SignatureExpired as exc:
        raise InvalidLink(expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(expired=False) from exc
    try:
        return UnlockClaim(email=str(data["e"]), article_id=int(data["a"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLink(expired=False) from exc


UNSUBSCRIBE_SALT = "denshiban.newsletters.unsubscribe"


@dataclass(frozen=True, slots=True)
class UnsubscribeClaim:
    subscriber_id: int
    newsletter_id: int | None  # None: every newsletter


def make_unsubscribe_token(subscriber_id: int, newsletter_id: int | None) -> str:
    """A link that never expires: an old mail must still let its reader leave the list."""
    payload = f"{subscriber_id}.{newsletter_id or 0}"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(payload)


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        subscriber, newsletter = (int(part) for part in payload.split("."))
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidLink(expired=False) from exc
    return UnsubscribeClaim(subscriber_id=subscriber, newsletter_id=newsletter or None)
