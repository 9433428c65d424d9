"""The outermost middleware of the app: a ``RequestRecord`` for every HTTP request, observed
when it is answered (a JSON log line, metrics, the span's attributes)."""

from __future__ import annotations

import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from chapters.api.extensions import is_database_unavailable
from chapters.observability import logs, metrics, traces
from chapters.observability.record import RequestRecord, closed, new_request_id, opened

OBSERVERS: list[Callable[[RequestRecord], None]] = [logs.log_request, metrics.observe_request]


def observe_requests(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a record for every HTTP request, observed when it is answered; the
    answer carries the request id (``X-Request-ID``) a caller can quote."""

    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        record = RequestRecord(method=scope["method"], route=scope.get("path_template", ""))
        token = opened(record)

        async def send_observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                message["headers"] = [*message.get("headers", ()), _request_id_header(record)]
            await send(message)

        try:
            with traces.request_span(scope, record):
                await app(scope, receive, send_observed)
        except BaseException as error:
            record.status = record.status or status_of(error)
            raise
        finally:
            record.duration = time.perf_counter() - record.started
            closed(token)
            for observer in OBSERVERS:
                observer(record)

    return observed


def _request_id_header(record: RequestRecord) -> tuple[bytes, bytes]:
    if record.request_id is None:
        record.request_id = new_request_id()
    return (b"x-request-id", record.request_id.encode())


def status_of(error: BaseException) -> int:
    """The status an error escaping the route will be answered with (by the app's handlers)."""
    if isinstance(error, HTTPException):
        return error.status_code
    return 503 if isinstance(error, Exception) and is_database_unavailable(error) else 500
