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
