"""A real SMTP server for tests (aiosmtpd on a loopback port), keeping what it is sent."""

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from live import free_port


class Inbox:
    """An aiosmtpd handler keeping every message it is given, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server on a loopback port (a free one unless given), started by the test."""

    def __init__(self, port: int | None = None, inbox: Inbox | None = None, **options):
        self.port = port or free_port()
        self.inbox = inbox or Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self) -> "MailServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def body(message: EmailMessage, kind: str) -> str:
    """The text of a message's plain or html part."""
    return message.get_body((kind,)).get_content()
