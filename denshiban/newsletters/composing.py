"""What an issue says: its articles (headline, lead, link) rendered once into HTML and text.

An issue carries the lead of every article and never more, whatever the article's access
level: the mail goes to addresses, not to readers the policy could admit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from denshiban.access.reading import public_reading
from denshiban.newsroom.models import AccessLevel, ArticlePage

from .models import IssueArticle, Newsletter, NewsletterIssue

ISSUE_ARTICLES = 8
# Replaced per recipient; the rest of the text is the same for everyone.
UNSUBSCRIBE_MARK = "@@UNSUBSCRIBE_URL@@"


@dataclass(frozen=True, slots=True)
class IssueItem:
    headline: str
    lead: str
    url: str
    section: str
    paid: bool


def default_articles(newsletter: Newsletter, limit: int = ISSUE_ARTICLES) -> list[ArticlePage]:
    """The newest live articles of the newsletter's sections (all sections if it names none)."""
    articles = ArticlePage.objects.live().order_by("-first_published_at", "-pk")
    section_ids = list(newsletter.sections.values_list("pk", flat=True))
    if section_ids:
        articles = articles.filter(section_id__in=section_ids)
    return list(articles[:limit])


@transaction.atomic
def fill_default_articles(issue: NewsletterIssue) -> int:
    """Give an issue without chosen articles the default ones; returns how many were added."""
    if issue.items.exists():
        return 0
    articles = default_articles(issue.newsletter)
    IssueArticle.objects.bulk_create(
        IssueArticle(issue=issue, article=article, sort_order=position)
        for position, article in enumerate(articles)
    )
    return len(articles)


def issue_items(issue: NewsletterIssue, *, base_url: str) -> list[IssueItem]:
    rows = (
        issue.items.select_related("article", "article__section")
        .filter(article__live=True)
        .order_by("sort_order", "pk")
    )
    items = []
    for row in rows:
        article = row.article
        items.append(
            IssueItem(
                headline=article.title,
                lead=public_reading(article).lead,
                url=base_url.rstrip("/") + article.public_path,
                section=article.section.title if article.section_id else "",
                paid=article.access_level != AccessLevel.FREE,
            )
        )
    return items


def render_parts(issue: NewsletterIssue, *, base_url: str | None = None) -> tuple[str, str]:
    """(html, text) of the issue with UNSUBSCRIBE_MARK where each recipient's link goes."""
    base_url = base_url or settings.SITE_URL
    context = {
        "issue": issue,
        "newsletter": issue.newsletter,
        "items": issue_items(issue, base_url=base_url),
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": base_url.rstrip("/") + "/",
    }
    html = render_to_string("newsletters/email/issue.html", context)
    text = render_to_string("newsletters/email/issue.txt", context)
    return html, text
