"""Traces (OpenTelemetry): a span per HTTP request, a child span per GraphQL operation, and
below them the SQL statements (asyncpg) and the outbound HTTP calls (identity providers,
webhooks), sent over OTLP/HTTP; the trace id in every log line.

Off unless an endpoint is configured (``OTEL_EXPORTER_OTLP_ENDPOINT``): then nothing of
OpenTelemetry is loaded by this module and a request costs a shared null context, no more
(``observability.otel`` is imported only once tracing starts). Each serving process starts
its own tracing in the app's lifespan (after uvicorn made the process) and flushes it at the
lifespan's end; ``chapters worker`` does the same around its run.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from litestar.types import Scope
    from opentelemetry.sdk.trace.export import SpanExporter
    from structlog.typing import EventDict

    from chapters.observability.otel import Tracing
    from chapters.observability.record import RequestRecord
    from chapters.settings import Settings

Client = TypeVar("Client")

_NO_SPAN: AbstractContextManager[None] = nullcontext()
_tracing: Tracing | None = None  # the process's tracing, while it runs


def configure_tracing(settings: Settings, exporter: SpanExporter | None = None) -> Tracing | None:
    """Start tracing this process: its spans go to ``settings.otlp_traces_endpoint``, or to
    ``exporter`` as each ends (tests: an in-memory exporter). Neither: None, tracing stays
    off. A tracing started before is shut down first. The caller shuts the returned one down
    (``Tracing.shutdown``: the spans still held are sent)."""
    global _tracing
    if exporter is None and settings.otlp_traces_endpoint is None:
        return None
    from chapters.observability.otel import Tracing

    if _tracing is not None:
        _tracing.shutdown()
    _tracing = Tracing(settings, exporter)
    return _tracing


def stopped(tracing: Tracing) -> None:
    """``tracing`` no longer runs (its ``shutdown``): this process's spans are off again."""
    global _tracing
    if _tracing is tracing:
        _tracing = None


def active() -> Tracing | None:
    """This process's tracing; None while it is off."""
    return _tracing


def request_span(scope: Scope, record: RequestRecord) -> AbstractContextManager[Any]:
    """The HTTP request's span (a caller's ``traceparent`` continues its trace); once it
    ends, its attributes say what ``record`` says."""
    if _tracing is None:
        return _NO_SPAN
    return _tracing.request_span(scope, record)


def operation_span(*, compiled: bool = False) -> AbstractContextManager[Any]:
    """The span of one GraphQL operation, named after it as the request's record names it
    (``query ListActivities``); ``compiled``: the front door of compiled reads answers."""
    if _tracing is None:
        return _NO_SPAN
    return _tracing.operation_span(compiled=compiled)


def traced_client(client: Client) -> Client:
    """``client`` (an ``httpx.AsyncClient``), each of its requests a span while tracing."""
    if _tracing is not None:
        _tracing.instrument_client(client)
    return client


def add_trace_context(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the trace and span a line was logged in."""
    if _tracing is not None:
        _tracing.add_trace_context(event_dict)
    return event_dict
