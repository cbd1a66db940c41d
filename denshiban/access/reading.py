"""The cut article: what a surface may show a reader, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .policy import Decision, can_read

if TYPE_CHECKING:
    from wagtail.blocks import StreamValue

    from denshiban.newsroom.models import ArticlePage

# The element that holds the text after the lead; JSON-LD's hasPart points at it.
PAID_PART_CLASS = "article-paid-part"
PAID_PART_SELECTOR = f".{PAID_PART_CLASS}"


@dataclass(frozen=True, slots=True)
class Reading:
    """An article as one reader may see it. `body` is None unless the policy allows it."""

    article: ArticlePage
    decision: Decision

    @property
    def body(self) -> StreamValue | None:
        # Read on demand, so list surfaces that never show a body need not load one.
        return self.article.body if self.decision.full else None

    @property
    def lead(self) -> str:
        return self.article.lead

    @property
    def is_full(self) -> bool:
        return self.decision.full

    @property
    def body_blocks(self) -> list[Any]:
        return list(self.body) if self.body is not None else []


def reading_for(reader: Any, article: ArticlePage) -> Reading:
    """The reader's cut of the article, decided without recording anything.

    Pages and the API detail, which open the article for the reader, use
    `access.services.open_article` instead: it also counts a free member's allowance.
    """
    return Reading(article=article, decision=can_read(reader, article))


def public_reading(article: ArticlePage) -> Reading:
    """What an anonymous reader sees: used by feeds, sitemaps and shared caches."""
    return reading_for(None, article)
