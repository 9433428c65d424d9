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

import contextlib
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

import msgspec
import structlog
from structlog.typing import EventDict, Processor

from chapters.observability import traces
from chapters.observability.record import RequestRecord, current

JSON = "json"
CONSOLE = "console"
FORMATS = (JSON, CONSOLE)


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


# What every one of ``_SECRETS`` needs in a text: most texts have none, and one search is
# cheaper than four substitutions.
_SUSPECT = re.compile(r"@|eyJ|://|(?i:bearer|basic)\s")


def scrubbed(text: str) -> str:
    """``text`` without e-mail addresses, tokens and passwords."""
    if _SUSPECT.search(text) is None:
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: scrub every text of the line (the rendered traceback too)."""
    for key, value in event_dict.items():
        if type(value) is str:  # most values: one search, no copy
            if _SUSPECT.search(value) is not None:
                event_dict[key] = scrubbed(value)
        elif isinstance(value, dict | list | tuple | set):
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


class JsonLines(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, and a short way for a line that holds everything already (the
    request line, ``log_request``): scrubbed and rendered, no processor asked."""

    def line(self, line: dict[str, Any]) -> str:
        """A line whose every value is known safe, in the order to print: rendered as is."""
        return msgspec.json.encode(line).decode()


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
    formatter = (JsonLines if log_format == JSON else structlog.stdlib.ProcessorFormatter)(
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


_REQUEST_LOGGER = logging.getLogger("chapters.request")


def log_request(record: RequestRecord) -> None:
    """The line of one answered request. It is the one line of every request, so it skips the
    logging machinery: it holds its time, level, logger and request already, and a JSON
    handler writes it rendered and scrubbed as any other line (a record of it is made only
    for another kind of handler)."""
    if not _REQUEST_LOGGER.isEnabledFor(logging.INFO):
        return
    line = {
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "level": "info",
        "logger": "chapters.request",
        "event": "request",
        # the only text of the line a caller chose freely (X-Request-ID: letters, digits and
        # "-_.:"; it could quote a token); the route is a template, the tenant a known slug,
        # the operation a GraphQL name
        "request_id": scrubbed(record.request_id) if record.request_id else None,
        "method": record.method,
        "route": record.route,
        "tenant": record.tenant,
        "operation": record.operation,
        "operation_type": record.operation_type,
        "status": record.status,
        "outcome": record.outcome,
        "duration_ms": round(record.duration * 1000, 2),
        "sql_statements": record.statements,
        "trace_id": record.trace_id,
    }
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, JsonLines) and isinstance(handler, logging.StreamHandler):
            # the handler's own lock, write and flush, without a LogRecord: the line is whole
            with handler.lock or contextlib.nullcontext():
                handler.stream.write(formatter.line(line) + handler.terminator)
                handler.flush()
        elif handler.level <= logging.INFO:
            handler.handle(_record_of(line))


def _record_of(line: dict[str, Any]) -> logging.LogRecord:
    """The request line as a record, for a handler that renders records its own way (the
    console's, a test's capture)."""
    entry = logging.LogRecord(_REQUEST_LOGGER.name, logging.INFO, "", 0, line, None, None)
    # what structlog's ProcessorFormatter takes for one of its own events: a dict, rendered
    entry._logger = _REQUEST_LOGGER
    entry._name = "info"
    return entry
