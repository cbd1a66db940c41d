"""The paid text never leaks: every role × every access level × every surface.

Each article carries MARKER in its body, after the lead. For each reader and level the
test collects, surface by surface, whether MARKER appeared, and compares that with where
the reading policy allows it (the table in test_policy.py): the reader's article page,
the API detail for that reader, and the page a signed-in reader gets after a guest warmed
the shared cache. Everywhere else (the page head's OGP, Twitter and JSON-LD, the API list,
RSS and Atom for the site and the section, sitemap.xml, and the shared cache a guest reads
after this reader) it must never appear, the free article's head included, because
descriptions are built from the lead.

Emails: the newsletter unlock mail and a sent newsletter issue carry an article's headline
and lead and never the text after it, whatever the article's access level (they go to
addresses, not to readers the policy could admit).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from denshiban.access.tests.factories import ROLES, sign_in
from denshiban.access.tests.test_policy import EXPECTED
from denshiban.api.tests.fixtures import visible_text
from denshiban.newsletters import sending, services
from denshiban.newsletters.models import NewsletterIssue, Subscriber, SubscriberStatus
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article, paragraph

pytestmark = pytest.mark.django_db

MARKER = "漏れてはならない本文の目印"
LEAD = "リードはだれでも読める。"

PAGE = "article page"
HEAD = "page head (OGP, Twitter, JSON-LD)"
API_DETAIL = "API detail"
API_LIST = "API list"
CACHE_GUEST_AFTER_READER = "shared cache: a guest after this reader"
CACHE_READER_AFTER_GUEST = "shared cache: this reader after a guest"
FEEDS = {
    "RSS": "/feeds/rss/",
    "Atom": "/feeds/atom/",
    "section RSS": "/feeds/economy/rss/",
    "section Atom": "/feeds/economy/atom/",
    "sitemap.xml": "/sitemap.xml",
}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def surfaces_showing_marker(reader: Client, article) -> dict[str, bool]:
    page = _text(reader.get(article.url))
    head = page.split("</head>", 1)[0]
    seen = {
        PAGE: MARKER in page,
        HEAD: MARKER in head,
        API_DETAIL: MARKER in visible_text(reader.get(f"/api/v1/articles/{article.pk}")),
        API_LIST: MARKER in visible_text(reader.get("/api/v1/articles")),
    }
    seen.update({name: MARKER in _text(reader.get(path)) for name, path in FEEDS.items()})
    # The reader's page went first; a guest now asks for the same address.
    seen[CACHE_GUEST_AFTER_READER] = MARKER in _text(Client().get(article.url))
    # The guest's page is in the cache now; the reader asks again.
    seen[CACHE_READER_AFTER_GUEST] = MARKER in _text(reader.get(article.url))
    return seen


def where_allowed(role: str, level: str) -> dict[str, bool]:
    full = EXPECTED[role][level][0]
    expected = dict.fromkeys([PAGE, HEAD, API_DETAIL, API_LIST, *FEEDS], False)
    expected[PAGE] = expected[API_DETAIL] = expected[CACHE_READER_AFTER_GUEST] = full
    expected[CACHE_GUEST_AFTER_READER] = level == AccessLevel.FREE
    return expected


@pytest.mark.parametrize(
    ("role", "level"), [(role, level) for role in ROLES for level in AccessLevel.values]
)
def test_marker_appears_exactly_where_the_policy_allows(site, role, level):
    article = add_article(
        index=site["index"],
        section=site["section"],
        lead=LEAD,
        access_level=level,
        newsletter_unlock=True,
        body=[paragraph(f"ここからが続き。{MARKER}。")],
    )
    reader = Client()
    sign_in(reader, role, grant_articles=[article], site=site)

    assert surfaces_showing_marker(reader, article) == where_allowed(role, level)


def _mail_texts(message) -> list[str]:
    return [message.subject, message.body, *(part.content for part in message.alternatives)]


def _article_at(site, level: str, title: str):
    return add_article(
        index=site["index"],
        section=site["section"],
        title=title,
        lead=LEAD,
        access_level=level,
        newsletter_unlock=True,
        body=[paragraph(f"ここからが続き。{MARKER}。")],
    )


@pytest.mark.parametrize("level", [AccessLevel.MEMBER, AccessLevel.PAID])
def test_unlock_mail_carries_the_headline_and_lead_only(site, level):
    article = _article_at(site, level, "見出しはメールに載る")
    registration = services.register(
        email="reader@example.jp", article=article, base_url="http://testserver/"
    )
    assert registration.outcome == services.Outcome.SENT
    (message,) = mail.outbox
    texts = _mail_texts(message)
    assert all(MARKER not in text for text in texts)
    assert all(article.title in text and LEAD in text for text in texts[1:])


def test_newsletter_issue_carries_headlines_and_leads_only(
    site, django_capture_on_commit_callbacks
):
    articles = [_article_at(site, level, f"{level}の記事の見出し") for level in AccessLevel.values]
    morning = services.ensure_default_newsletters()[0]
    now = timezone.now()
    reader = Subscriber.objects.create(
        email="reader@example.jp",
        status=SubscriberStatus.CONFIRMED,
        consent_text="同意",
        consented_at=now,
        confirmed_at=now,
    )
    reader.lists.add(morning)
    issue = NewsletterIssue.objects.create(newsletter=morning, subject="けさの主なニュース")
    with django_capture_on_commit_callbacks(execute=True):
        sending.request_send(issue.pk)

    (message,) = mail.outbox
    texts = _mail_texts(message)
    assert all(MARKER not in text for text in texts)
    for text in texts[1:]:
        assert all(article.title in text for article in articles)
        assert LEAD in text
