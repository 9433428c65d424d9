"""The development mail catcher: an SMTP server on 127.0.0.1 that writes every message it
accepts to a directory as ``<message-id>.eml`` (``chapters mail-catcher``; tests start it
in-process).

The file is named by the message's Message-ID, so a message delivered again (its sender
crashed before it saw the server's answer) replaces itself: the outbox holds it once.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*?)\r?$", re.IGNORECASE | re.MULTILINE)


def message_id_of(content: bytes) -> str | None:
    """The Message-ID header of a raw message (its header block only)."""
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    return found.group(1).strip().decode("ascii", "replace") if found else None


def file_name(message_id: str | None) -> str:
    """``<abc@host>`` → ``abc@host.eml``; a message without an id gets a fresh name."""
    cleaned = _UNSAFE.sub("_", (message_id or "").strip().strip("<>"))[:200].strip("._")
    return f"{cleaned or uuid.uuid4().hex}.eml"


class _Handler:
    def __init__(self, catcher: Catcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = message_id_of(content)
        target = self.catcher.outbox_dir / file_name(message_id)
        partial = target.with_suffix(f".{uuid.uuid4().hex}.part")
        partial.write_bytes(content)
        os.replace(partial, target)  # whole or not at all, and a repeat overwrites
        self.catcher.received.append(str(message_id))
        if self.catcher.data_delay_seconds:
            # Answer late (tests): the sender may die between our write and our answer.
            await asyncio.sleep(self.catcher.data_delay_seconds)
        return "250 Message accepted for delivery"


class Catcher:
    """The catcher's server, started and stopped in a running event loop."""

    def __init__(
        self,
        outbox_dir: Path,
        host: str = "127.0.0.1",
        port: int = 1025,
        *,
        data_delay_seconds: float = 0.0,
    ) -> None:
        self.outbox_dir = Path(outbox_dir)
        self.host = host
        self.port = port
        self.data_delay_seconds = data_delay_seconds
        self.received: list[str] = []
        self._server: asyncio.Server | None = None
        self._connections: list[SMTP] = []

    def _protocol(self) -> SMTP:
        self._connections = [c for c in self._connections if c.transport is not None]
        protocol = SMTP(
            _Handler(self),
            hostname="chapters-mail-catcher",
            ident="chapters mail catcher",
            data_size_limit=10 * 1024 * 1024,
            enable_SMTPUTF8=True,
        )
        self._connections.append(protocol)
        return protocol

    async def start(self) -> Catcher:
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]  # port 0: the one it got
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in self._connections:
                if connection.transport is not None:
                    connection.transport.close()
            self._connections = []
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Catcher:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()


@dataclass(frozen=True)
class Caught:
    path: Path
    date: datetime | None
    to: str
    subject: str
    message_id: str


def caught_messages(outbox_dir: Path) -> list[Caught]:
    """The messages in the outbox, newest first."""
    found = []
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    for path in Path(outbox_dir).glob("*.eml"):
        try:
            headers = parser.parsebytes(path.read_bytes())
        except OSError:
            continue  # replaced while we looked
        try:
            date = parsedate_to_datetime(str(headers["Date"])) if headers["Date"] else None
        except (TypeError, ValueError):
            date = None
        found.append(
            Caught(
                path=path,
                date=date,
                to=str(headers.get("To", "")),
                subject=str(headers.get("Subject", "")),
                message_id=str(headers.get("Message-ID", "")),
            )
        )
    found.sort(key=lambda item: item.date.timestamp() if item.date else 0.0, reverse=True)
    return found
