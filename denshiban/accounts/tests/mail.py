"""Reading the mail allauth sends, as a reader would."""

import re
from urllib.parse import urlsplit

from django.core import mail

LINK = re.compile(r"https?://\S+")
CODE = re.compile(r"^\s*([A-Z0-9][A-Z0-9-]{5,})\s*$", re.MULTILINE)


def link_path(body: str) -> str:
    """The path of the one link in a mail body (the test client takes paths)."""
    links = LINK.findall(body)
    assert len(links) == 1, links
    return urlsplit(links[0]).path


def login_code(body: str) -> str:
    match = CODE.search(body)
    assert match, body
    return match.group(1)


def last_mail_to(address: str) -> mail.EmailMessage:
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, [message.to for message in mail.outbox]
    return sent[-1]
