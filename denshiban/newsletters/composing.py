"""What an issue says: its articles (headline, lead, link) rendered once into HTML and text,
and the message every recipient gets, encoded once per issue.

An issue carries the lead of every article and never more, whatever the article's access
level: the mail goes to addresses, not to readers the policy could admit.
"""

from __future__ import annotations

import base64
import email.message
import email.policy
import uuid
from dataclasses import dataclass
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from denshiban.access.reading import public_reading
from denshiban.newsroom.models import AccessLevel, ArticlePage

from . import tokens
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


@dataclass(frozen=True, slots=True)
class IssueMail:
    """The issue as a message; the copies differ only in the address and unsubscribe link.

    `message()` builds a recipient's copy with Django (for the file and test mailers);
    `wire_bytes()` gives the same message ready for SMTP DATA, from headers and parts
    encoded once, because building a MIME tree per recipient costs more than the SMTP
    exchange itself.
    """

    issue_id: int
    newsletter_id: int
    subject: str
    from_email: str
    domain: str
    list_id: str
    text: str
    html: str
    unsubscribe_base: str
    head: bytes
    boundary: str

    @classmethod
    def for_issue(cls, issue: NewsletterIssue) -> IssueMail:
        from_email = settings.DEFAULT_FROM_EMAIL
        domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
        list_id = f"<{issue.newsletter.slug}.newsletters.{domain}>"
        placeholder = "TOKEN"
        path = reverse("newsletters:unsubscribe", args=[placeholder])
        boundary = f"denshiban-{uuid.uuid4().hex}"
        # Subject and From encoded by the standard library's SMTP policy (RFC 2047 for the
        # Japanese subject), once.
        head = email.message.EmailMessage(policy=email.policy.SMTP)
        head["MIME-Version"] = "1.0"
        head["Subject"] = issue.subject
        head["From"] = from_email
        head["List-Id"] = list_id
        head["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        head["Precedence"] = "bulk"
        head["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
        return cls(
            issue_id=issue.pk,
            newsletter_id=issue.newsletter_id,
            subject=issue.subject,
            from_email=from_email,
            domain=domain,
            list_id=list_id,
            text=issue.text_body,
            html=issue.html_body,
            unsubscribe_base=settings.SITE_URL.rstrip("/") + path.replace(placeholder, "{}"),
            head=b"".join(head.policy.fold_binary(name, value) for name, value in head.items()),
            boundary=boundary,
        )

    def unsubscribe_url(self, subscriber_id: int) -> str:
        return self.unsubscribe_base.format(
            tokens.make_unsubscribe_token(subscriber_id, self.newsletter_id)
        )

    def message_id(self, subscriber_id: int) -> str:
        # The same id whenever this recipient's copy is built.
        return f"<newsletter.{self.issue_id}.{subscriber_id}@{self.domain}>"

    def message(self, subscriber_id: int, address: str) -> EmailMultiAlternatives:
        url = self.unsubscribe_url(subscriber_id)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE_MARK, url),
            from_email=self.from_email,
            to=[address],
            headers={
                "Message-ID": self.message_id(subscriber_id),
                "List-Id": self.list_id,
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(self.html.replace(UNSUBSCRIBE_MARK, url), "text/html")
        return message

    def wire_bytes(self, subscriber_id: int, address: str) -> bytes:
        """The recipient's copy with CRLF line ends, without the final "." line.

        `address` is an ASCII addr-spec (the SMTP mailer's prep_address gives one). No line
        can start with ".": headers start with a name, parts are base64.
        """
        url = self.unsubscribe_url(subscriber_id)
        lines = [
            self.head,
            f"To: {address}\r\n"
            f"Date: {formatdate()}\r\n"
            f"Message-ID: {self.message_id(subscriber_id)}\r\n"
            f"List-Unsubscribe: <{url}>\r\n"
            "\r\n".encode("ascii"),
            self._part("text/plain", self.text.replace(UNSUBSCRIBE_MARK, url)),
            self._part("text/html", self.html.replace(UNSUBSCRIBE_MARK, url)),
            f"--{self.boundary}--\r\n".encode("ascii"),
        ]
        return b"".join(lines)

    def _part(self, content_type: str, body: str) -> bytes:
        canonical = body.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        return (
            f"--{self.boundary}\r\n"
            f'Content-Type: {content_type}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii")
            + base64.encodebytes(canonical).replace(b"\n", b"\r\n")
        )
