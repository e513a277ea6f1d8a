"""Email over SMTP, configured from the environment (MAIL_*); only the worker sends any.

The standard library's smtplib and email.message do all of it: a digest is one message on
one connection, and no library would spare more than the thirty lines below. Every step
has a timeout (MAIL_TIMEOUT_SECONDS), so a dead server fails a send instead of hanging it.
"""

import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage

# What a send may raise when the server is unreachable, slow, or refuses: smtplib's errors
# are OSErrors too, as are timeouts and refused connections.
SendError = OSError
# Of those, the server's refusals of one message (its recipient, its content), after which
# the connection still serves the next.
MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def problem(config: Mapping) -> str | None:
    """Say why no email can be sent with this configuration, or None when it can."""
    if not config["MAIL_SERVER"]:
        return "No mail server is configured (MAIL_SERVER), so no email is sent."
    if not config["MAIL_DEFAULT_SENDER"]:
        return "MAIL_SERVER is set but MAIL_DEFAULT_SENDER is not: email has no sender."
    if bool(config["MAIL_USERNAME"]) != bool(config["MAIL_PASSWORD"]):
        return "Set both MAIL_USERNAME and MAIL_PASSWORD, or neither."
    if not 0 < config["MAIL_PORT"] < 65536:
        return f"MAIL_PORT must be a port number (1-65535), not {config['MAIL_PORT']}."
    if not config["MAIL_TIMEOUT_SECONDS"] > 0:
        return "MAIL_TIMEOUT_SECONDS must be more than 0: a send may not wait forever."
    return None


def message(
    config: Mapping, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """Build a message from the configured sender: plain text, and HTML as its alternative."""
    mail = EmailMessage()
    mail["From"] = config["MAIL_DEFAULT_SENDER"]
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail


@contextmanager
def connection(config: Mapping) -> Iterator[smtplib.SMTP]:
    """Open a connection to the configured server (STARTTLS and login as configured)."""
    smtp = smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]
    )
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield smtp
    finally:
        try:
            smtp.quit()
        except SendError:  # the server is already gone: closing our end is all that is left
            smtp.close()
