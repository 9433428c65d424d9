"""A small webhook receiver for development and tests: an HTTP server that verifies each
delivery's signature with the ``standardwebhooks`` library and records what arrived.

It answers 204 to a verified delivery, 401 to one it cannot verify (missing headers, no
signature by any of its secrets, a timestamp off by more than five minutes), and whatever
``status`` says when set otherwise (tests make it fail on purpose). It deduplicates nothing:
every arrival is recorded, so a caller can count them by ``webhook-id``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Arrival:
    webhook_id: str | None
    verified: bool
    payload: Any  # the JSON body, when it was valid JSON
    headers: dict[str, str]
    body: bytes
    error: str | None
    received_at: datetime


class Receiver:
    """Verifies with any of ``secrets``; records every request in ``arrivals`` and, with a
    ``log_path``, as a JSON line there."""

    def __init__(
        self,
        secrets: Iterable[str] = (),
        *,
        log_path: Path | None = None,
        status: int | None = None,
        on_arrival: Callable[[Arrival], None] | None = None,
    ) -> None:
        self.secrets = list(secrets)
        self.on_arrival = on_arrival
        self.log_path = log_path
        self.status = status  # None: 204 when verified, 401 when not
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self.port: int | None = None  # once started
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def verify(self, body: bytes, headers: dict[str, str]) -> tuple[Any, str | None]:
        """The payload if any secret verifies it, else None and why not."""
        error = "no secret to verify with"
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers), None
            except WebhookVerificationError as failed:
                error = str(failed)
            except (ValueError, TypeError) as failed:  # a malformed signature header
                error = f"malformed signature: {failed}"
        return None, error

    def receive(self, body: bytes, headers: dict[str, str]) -> tuple[int, Arrival]:
        headers = {name.lower(): value for name, value in headers.items()}
        payload, error = self.verify(body, headers)
        verified = error is None
        if payload is None:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
        arrival = Arrival(
            webhook_id=headers.get("webhook-id"),
            verified=verified,
            payload=payload,
            headers=headers,
            body=body,
            error=error,
            received_at=datetime.now(UTC),
        )
        with self._lock:
            self.arrivals.append(arrival)
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(self.describe(arrival)) + "\n")
            if self.on_arrival is not None:
                self.on_arrival(arrival)
        status = self.status if self.status is not None else (204 if verified else 401)
        return status, arrival

    @staticmethod
    def describe(arrival: Arrival) -> dict[str, Any]:
        return {
            "received_at": arrival.received_at.isoformat(),
            "webhook_id": arrival.webhook_id,
            "verified": arrival.verified,
            "error": arrival.error,
            "payload": arrival.payload,
        }

    # --- serving ------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve in a thread of its own; the port it listens on."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY:
                    self.send_response(413)
                    self.end_headers()
                    return
                body = self.rfile.read(length)
                status, arrival = receiver.receive(body, dict(self.headers.items()))
                answer = b"" if status == 204 else (arrival.error or "ok").encode()
                self.send_response(status)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                if answer:
                    self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the receiver's own record is the log

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        self.port = int(server.server_address[1])
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self, host: str, port: int) -> None:
        """Serve in this thread (the command line)."""
        self.start(host, port)
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=1)
        finally:
            self.stop()
