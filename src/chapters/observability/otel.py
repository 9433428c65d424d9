"""The OpenTelemetry side of ``traces``, imported once tracing starts.

One ``TracerProvider`` of the process's own (the global one is left alone: it may be set only
once, and a test starts tracing several times), its spans sent in batches over OTLP/HTTP. The
asyncpg instrumentation makes a span of every statement, on SQLAlchemy's connections and the
compiled reads' pool alike: the statement's text, never its parameters. An outbound client's
span names where it went by origin only (a webhook's path may hold its secret). An exception
on a span keeps its type and the first line of its message, scrubbed as a log line is: a
database error's DETAIL quotes the row it refused (an address, a name).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import httpx
from litestar.types import Scope
from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from chapters.observability import traces
from chapters.observability.logs import scrubbed
from chapters.observability.middleware import status_of
from chapters.observability.record import RequestRecord, current
from chapters.settings import Settings

TRACER = "chapters"


class Tracing:
    """Tracing of this process while it runs (``traces.configure_tracing`` starts it)."""

    def __init__(self, settings: Settings, exporter: SpanExporter | None = None) -> None:
        self.provider = TracerProvider(
            sampler=sampler(settings),
            resource=Resource.create({SERVICE_NAME: settings.otel_service_name}),
        )
        if exporter is None:
            exporter = OTLPSpanExporter(endpoint=settings.otlp_traces_endpoint)
            self.provider.add_span_processor(BatchSpanProcessor(Scrubbing(exporter)))
        else:  # a test's exporter sees each span as it ends
            self.provider.add_span_processor(SimpleSpanProcessor(Scrubbing(exporter)))
        self.tracer = self.provider.get_tracer(TRACER)
        AsyncPGInstrumentor(capture_parameters=False).instrument(tracer_provider=self.provider)

    def shutdown(self) -> None:
        """Send the spans still held and stop: no more spans, from SQL statements either."""
        traces.stopped(self)
        AsyncPGInstrumentor().uninstrument()
        self.provider.shutdown()

    @contextmanager
    def request_span(self, scope: Scope, record: RequestRecord) -> Iterator[None]:
        with self.tracer.start_as_current_span(
            _request_span_name(record.method, record.route),
            context=propagate.extract(_propagated_headers(scope)),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": record.method, "http.route": record.route},
            record_exception=False,  # the type only: see _errored
            set_status_on_exception=False,
        ) as span:
            record.trace_id = trace.format_trace_id(span.get_span_context().trace_id)
            status = None
            try:
                yield
            except BaseException as error:
                status = record.status or status_of(error)
                _errored(span, error)
                raise
            finally:
                if span.is_recording():
                    _describe_request(span, record, status or record.status)

    @contextmanager
    def operation_span(self, *, compiled: bool) -> Iterator[None]:
        with self.tracer.start_as_current_span(
            "compiled read" if compiled else "graphql",
            attributes={"chapters.compiled": compiled},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except BaseException as error:
                _errored(span, error)
                raise
            finally:
                record = current()
                if span.is_recording() and record is not None:
                    _describe_operation(span, record, compiled)

    def instrument_client(self, client: Any) -> None:
        HTTPXClientInstrumentor.instrument_client(
            client, tracer_provider=self.provider, request_hook=_origin_only
        )

    def add_trace_context(self, event_dict: MutableMapping[str, Any]) -> None:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            event_dict.setdefault("trace_id", trace.format_trace_id(context.trace_id))
            event_dict.setdefault("span_id", trace.format_span_id(context.span_id))


def sampler(settings: Settings) -> Sampler:
    """The sampler ``OTEL_TRACES_SAMPLER`` names (the SDK's own names and meanings)."""
    name, ratio = settings.otel_traces_sampler, settings.otel_traces_sampler_ratio
    root: Sampler
    if name.endswith("always_on"):
        root = ALWAYS_ON
    elif name.endswith("always_off"):
        root = ALWAYS_OFF
    else:
        root = TraceIdRatioBased(ratio)
    return ParentBased(root) if name.startswith("parentbased_") else root


@cache
def _request_span_name(method: str, route: str) -> str:
    return f"{method} {route}" if route else method


@cache
def _propagated_header_names() -> frozenset[bytes]:
    return frozenset(name.encode() for name in propagate.get_global_textmap().fields)


def _propagated_headers(scope: Scope) -> dict[str, str]:
    """The request's headers a propagator reads (``traceparent``, ``tracestate``, ...)."""
    wanted = _propagated_header_names()
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if name in wanted
    }


def _describe_request(span: Span, record: RequestRecord, status: int) -> None:
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("chapters.sql_statements", record.statements)
    if record.request_id is not None:
        span.set_attribute("chapters.request_id", record.request_id)
    if record.tenant is not None:
        span.set_attribute("chapters.tenant", record.tenant)
    if record.operation_type is not None:
        span.set_attribute("graphql.operation.type", record.operation_type)
    if record.operation is not None:
        span.set_attribute("graphql.operation.name", record.operation)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def _describe_operation(span: Span, record: RequestRecord, compiled: bool) -> None:
    """Name the span after the operation the record names; a compiled read handed on to the
    resolvers names none (their span follows)."""
    if record.operation_type is None:
        if compiled:
            span.update_name("compiled read handed on")
        return
    kind, name = record.operation_type, record.operation
    span.update_name(f"{kind} {name}" if name else kind)
    span.set_attribute("graphql.operation.type", kind)
    if name is not None:
        span.set_attribute("graphql.operation.name", name)


def _errored(span: Span, error: BaseException) -> None:
    span.set_attribute("error.type", type(error).__qualname__)


async def _origin_only(span: Span, request: RequestInfo) -> None:
    """An outbound request's span names its URL's origin, never its path or query."""
    if isinstance(request.url, httpx.URL):
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
    else:  # httpcore's raw form: scheme, host, port, target
        scheme, host, port, _ = request.url
        origin = f"{scheme.decode('ascii')}://{host.decode('ascii')}" + (f":{port}" if port else "")
    recorded = getattr(span, "attributes", None) or {}
    for key in ("http.url", "url.full"):
        if key in recorded:
            span.set_attribute(key, origin)


class Scrubbing(SpanExporter):
    """An exporter that passes spans on with their exception events scrubbed: the type, and
    the first line of the message without addresses or tokens; no stack trace (the log line
    of the failure has it, with the trace id)."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export([_scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    if not any(event.name == "exception" for event in span.events):
        return span
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=[_scrubbed_event(event) for event in span.events],
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _scrubbed_event(event: Event) -> Event:
    if event.name != "exception":
        return event
    attributes = event.attributes or {}
    message = str(attributes.get("exception.message", "")).split("\n", 1)[0]
    kept = {
        "exception.type": attributes.get("exception.type", ""),
        "exception.message": scrubbed(message),
    }
    return Event(event.name, kept, event.timestamp)
