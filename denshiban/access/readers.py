"""Who is reading: the signed-in user, if any, and the unlock grants their browser holds.

A newsletter reader has no account: what they may read is the set of UnlockGrant ids the
browser that confirmed the address keeps in its session. `Reader` carries both, so the
policy can decide for a guest with grants as well as for a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

# Session key under which the browser keeps the ids of its newsletter unlock grants.
UNLOCK_GRANTS_SESSION_KEY = "access.unlock_grant_ids"


@dataclass(frozen=True, slots=True)
class Reader:
    user: Any = None
    unlock_grant_ids: frozenset[int] = frozenset()

    @property
    def is_signed_in(self) -> bool:
        # An inactive account cannot sign in; whoever holds its object reads as a guest.
        user = self.user
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "is_active", False)
        )


def as_reader(reader: Any) -> Reader:
    """Accept a Reader, a User, an AnonymousUser or None, as callers of the policy pass."""
    if isinstance(reader, Reader):
        return reader
    return Reader(user=reader)


def grant_ids_in(session: SessionBase | None) -> frozenset[int]:
    if session is None:
        return frozenset()
    return frozenset(int(pk) for pk in session.get(UNLOCK_GRANTS_SESSION_KEY, ()))


def reader_from_request(request: HttpRequest) -> Reader:
    session = getattr(request, "session", None)
    # A guest without a session cookie has no grants: don't load (or create) a session.
    has_session = session is not None and not session.is_empty()
    return Reader(
        user=getattr(request, "user", None),
        unlock_grant_ids=grant_ids_in(session) if has_session else frozenset(),
    )


def keep_unlock_grant(session: SessionBase, grant_id: int) -> None:
    """Remember a confirmed unlock in this browser (called by the newsletter confirmation)."""
    kept = set(grant_ids_in(session))
    kept.add(grant_id)
    session[UNLOCK_GRANTS_SESSION_KEY] = sorted(kept)
