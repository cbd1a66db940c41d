"""A real SMTP server on a free local port, for tests that send mail over the wire.

Used as a context manager; messages received are parsed with the standard library, so a
test reads decoded headers (a Japanese subject) and bodies as a mail client would.
"""

from __future__ import annotations

import email
import email.policy
import socket
import time
from email.message import EmailMessage
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _Collector:
    """aiosmtpd handler: keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


class SMTPServer:
    """Listens on HOST:port while open; `messages` are the parsed mails received."""

    def __init__(self, port: int | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def mailer(self) -> dict:
        """A Django 6.1 MAILERS entry that sends to this server."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5},
        }

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The messages once `count` have arrived (the server runs in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, received {len(self.messages)}")
            time.sleep(0.01)
        return self.messages

    def __enter__(self) -> SMTPServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()
