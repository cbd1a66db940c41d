import pytest
from allauth.account.models import EmailAddress

from denshiban.core.testing.smtp import SMTPServer

from .factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's default mailer sends to it."""
    with SMTPServer() as server:
        settings.MAILERS = {"default": server.mailer()}
        yield server


@pytest.fixture
def member(db):
    """A free member whose email address is confirmed (password: PASSWORD)."""
    user = UserFactory(email="member@example.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
