"""SMTP: the message as it goes on the wire, and the connection it goes over."""

from __future__ import annotations

import base64
import functools
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from chapters.mail.service import mail_domain
from chapters.models.mail import MailMessage
from chapters.settings import Settings


def build_message(row: MailMessage, settings: Settings, text: str, html: str) -> bytes:
    """The RFC 5322 message: ``multipart/alternative``, plain text then HTML, both UTF-8 in
    base64. Its Message-ID is the row's, fixed when the row was written, and its Date the
    row's creation: a message sent again after a crash is the same message.

    Written out directly: the standard library's generator costs several milliseconds a
    message, which counts when ten thousand recap mails go out at once."""
    boundary = f"=_chapters_{row.id.hex}"
    headers = [
        ("MIME-Version", "1.0"),
        ("From", _from_header(settings.mail_from)),
        ("To", row.recipient),
        ("Subject", _encoded(row.subject)),
        ("Date", format_datetime(row.created_at)),
        ("Message-ID", row.message_id),
        ("Auto-Submitted", "auto-generated"),
    ]
    if row.unsubscribe_url:
        # RFC 8058: a mail client may unsubscribe with one POST, no page, no sign-in
        headers.append(("List-Unsubscribe", f"<{row.unsubscribe_url}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    head = "".join(f"{name}: {_one_line(value)}\r\n" for name, value in headers)
    parts = "".join(
        f"--{boundary}\r\n"
        f"Content-Type: text/{subtype}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{_base64_lines(body)}"
        for subtype, body in (("plain", text), ("html", html))
    )
    return f"{head}\r\n{parts}--{boundary}--\r\n".encode("ascii")


def _one_line(value: str) -> str:
    # no header injection through a value (a subject, an address)
    return value.replace("\r", " ").replace("\n", " ")


def _encoded(value: str) -> str:
    """An RFC 2047 encoded word (or several) when the value is not ASCII."""
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep=" ")


@functools.lru_cache(maxsize=8)
def _from_header(mail_from: str) -> str:
    name, address = parseaddr(mail_from)
    if not name:
        return address
    return formataddr((name, address), charset="utf-8")


def _base64_lines(body: str) -> str:
    return base64.encodebytes(body.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1] or f"no-reply@{mail_domain(settings)}"


def smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    """A client for the configured server (not yet connected). ``starttls`` insists on TLS
    after connecting; ``tls`` speaks TLS from the start; ``none`` is for the local catcher."""
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_seconds,
        # the default asks the resolver for this machine's FQDN, which can take seconds
        local_hostname=mail_domain(settings),
    )


def is_permanent(error: Exception) -> bool:
    """A refusal the server will repeat (5xx): retrying cannot help."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= refusal.code < 600 for refusal in error.recipients)
    code = getattr(error, "code", None)
    return isinstance(error, aiosmtplib.SMTPResponseException) and code is not None and code >= 500
