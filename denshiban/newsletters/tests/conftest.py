import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing

from denshiban.core.testing.smtp import SMTPServer
from denshiban.newsletters import tokens
from denshiban.newsroom.models import AccessLevel
from denshiban.newsroom.tests.factories import add_article, paragraph

# Text that sits only after the lead: it must reach no one who has not unlocked the article.
BODY_MARKER = "続きの本文にだけある一文。"


@pytest.fixture
def article(site):
    return add_article(
        index=site["index"],
        section=site["section"],
        title="半導体投資、国内で加速",
        lead="大手各社が国内工場への投資を積み増す。",
        body=[paragraph(BODY_MARKER)],
        access_level=AccessLevel.PAID,
        newsletter_unlock=True,
    )


@pytest.fixture
def closed_article(site):
    """Paywalled, but the editor did not open it to the newsletter unlock."""
    return add_article(
        index=site["index"],
        section=site["section"],
        title="決算速報",
        body=[paragraph(BODY_MARKER)],
        access_level=AccessLevel.PAID,
        newsletter_unlock=False,
    )


@pytest.fixture
def smtp_server(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": server.mailer()}
        yield server


def token_made_ago(email: str, article_id: int, age: timedelta) -> str:
    """A token signed `age` ago, as if the mail had waited that long in the inbox."""
    signed_at = int(time.time() - age.total_seconds())
    with mock.patch.object(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at)
    ):
        return tokens.make_token(email, article_id)
