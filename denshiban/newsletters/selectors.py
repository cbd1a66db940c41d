"""Reads for newsletters."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress

from denshiban.newsroom.models import ArticlePage


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
