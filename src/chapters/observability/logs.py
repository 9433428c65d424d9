"""Logs: every line one JSON object on standard output (``CHAPTERS_LOG_FORMAT=json``, the
default), or aligned text for people (``console``: ``chapters dev``).

The service's modules log with the standard library (``logging.getLogger``); structlog's
processors render every record, the server's and the libraries' included, the same way, and
add what the line belongs to: the request id, the tenant, the operation, the trace. One line
per answered request (``log_request``) replaces an access log. Whatever a line says passes
``redact`` last: addresses, tokens and passwords never reach the log, even quoted in an
exception's message (a unique violation quotes the value it refused).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

import msgspec
import structlog
from structlog.typing import EventDict, Processor

from chapters.observability import traces
from chapters.observability.record import RequestRecord, current

JSON = "json"
CONSOLE = "console"
FORMATS = (JSON, CONSOLE)

request_log = structlog.get_logger("chapters.request")

# Libraries whose INFO lines would quote what must not be logged, or repeat the request line:
# SQLAlchemy's statements, httpx's URLs, the job queue's task arguments.
QUIET_LOGGERS = ("sqlalchemy", "httpx", "httpcore", "procrastinate")
# Strawberry logs every error of a result with its document (refusals included, and a document
# may quote an address); the unexpected ones are logged by api.extensions.RequestOutcome.
SILENT_LOGGERS = ("strawberry.execution",)

_SECRETS = (
    # e-mail addresses
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"), "[email]"),
    # JSON Web Tokens (and any other base64url header.payload.signature)
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"), "[token]"),
    # an Authorization header's credentials
    (re.compile(r"(?i)\b(bearer|basic)\s+[\w.~+/=-]{8,}"), r"\1 [token]"),
    # a password in a URL (postgresql://user:password@host)
    (re.compile(r"(://[^:/@\s]+):[^@\s]+@"), r"\1:[secret]@"),
)


def scrubbed(text: str) -> str:
    """``text`` without e-mail addresses, tokens and passwords."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: scrub every text of the line (the rendered traceback too)."""
    for key, value in event_dict.items():
        event_dict[key] = _scrubbed_value(value)
    return event_dict


def _scrubbed_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrubbed(value)
    if isinstance(value, dict):
        return {key: _scrubbed_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_scrubbed_value(item) for item in value]
    return value


def add_request_context(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the request a line was logged in (its id, tenant, operation)."""
    record = current()
    if record is not None:
        event_dict.setdefault("request_id", record.request_id)
        if record.tenant is not None:
            event_dict.setdefault("tenant", record.tenant)
        if record.operation is not None:
            event_dict.setdefault("operation", record.operation)
    return event_dict


_FIRST = ("timestamp", "level", "logger", "event")


def _json(event_dict: EventDict, **_: Any) -> str:
    """One line, the same four keys first (a person reading raw lines finds them at once)."""
    ordered = {key: event_dict.pop(key) for key in _FIRST if key in event_dict}
    ordered.update(event_dict)
    return msgspec.json.encode(ordered, enc_hook=str).decode()


def configure_logging(
    log_format: str = JSON, level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Render every log record of the process in ``log_format`` on ``stream`` (standard
    output), at ``level`` and above. Called again, it replaces its previous handler. The
    handler is returned (a test may remove it)."""
    stream = stream or sys.stdout
    shared: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_context,
        traces.add_trace_context,
    ]
    if log_format == JSON:
        last: list[Processor] = [
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(serializer=_json),
        ]
    else:
        colors = stream.isatty()  # colours for a terminal, plain text for a file or a pipe
        last = [
            structlog.processors.format_exc_info,
            redact,
            structlog.dev.ConsoleRenderer(colors=colors),
        ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *last],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.set_name("chapters")
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.get_name() == "chapters"]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in SILENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def log_request(record: RequestRecord) -> None:
    """The line of one answered request."""
    request_log.info(
        "request",
        request_id=record.request_id,
        method=record.method,
        route=record.route,
        tenant=record.tenant,
        operation=record.operation,
        operation_type=record.operation_type,
        status=record.status,
        outcome=record.outcome,
        duration_ms=round(record.duration * 1000, 2),
        sql_statements=record.statements,
        trace_id=record.trace_id,
    )
