"""Traces (``observability.traces``): with tracing on, a request is a SERVER span, its GraphQL
operation a child span named after it -- on the resolvers' path and the compiled front door
alike -- with the SQL statements and the calls to identity providers below, all one trace, a
caller's ``traceparent`` continued and the trace id in the log lines; a webhook delivery is a
span that hands its trace on. No span holds a variable's value, an address or a URL's path.
Off (no endpoint), nothing of it runs."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, StatusCode

from chapters.app import create_app
from chapters.models import TenantRole
from chapters.observability import traces
from chapters.observability.logs import configure_logging
from chapters.observability.record import RequestRecord
from chapters.settings import SettingsError, load_settings
from chapters.webhooks import delivery
from chapters.webhooks.receiver import Receiver
from tests.support import TenantFixture, data_of, gql, serving, trust_provider

MEMBER = "member@x.example"
PEOPLE = {"admin@x.example": TenantRole.ADMIN, MEMBER: None}
SLUG_VALUE = "no-such-chapter-7f3e91"  # a variable's value: never in a span
LIST_ACTIVITIES = """query ListActivities($slug: String!) {
  viewer { email tenantRole }
  chapter(slug: $slug) { name }
  activities(first: 5) { edges { node { title } } }
}"""
VIEWER = "query Me { viewer { email } }"


@dataclasses.dataclass
class Traced:
    http: httpx.AsyncClient
    spans: InMemorySpanExporter

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())


@pytest.fixture(scope="module")
async def tenant(tenants) -> TenantFixture:
    return await tenants.create("traces", people=PEOPLE)


@pytest.fixture
async def traced(settings, urls, keys) -> AsyncIterator[Traced]:
    """An app started while tracing this process into memory (its lifespan made its clients
    and pools after tracing started, as a serving process does)."""
    exporter = InMemorySpanExporter()
    tracing = traces.configure_tracing(settings, exporter)
    assert tracing is not None
    try:
        # a key the provider rotated in is fetched at once (no pause between refreshes)
        settings = dataclasses.replace(settings, oidc_jwks_refresh_seconds=0)
        app = create_app(settings, app_url=urls.app, keys=keys)
        async with serving(app) as http:
            exporter.clear()  # the start-up's own statements
            yield Traced(http, exporter)
    finally:
        tracing.shutdown()
    assert traces.active() is None


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every log line of the process, as JSON, into a buffer."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    handler = configure_logging(stream=stream)  # replaces a handler it made before
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for previous in handlers:
            if previous not in root.handlers:
                root.addHandler(previous)
        root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _hex(number: int, digits: int) -> str:
    return format(number, f"0{digits}x")


def _server_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is SpanKind.SERVER]


def _descends_from(span: ReadableSpan, ancestor: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = None if above is None else above.parent
    return False


def _statement(span: ReadableSpan) -> str | None:
    attributes = span.attributes or {}
    value = attributes.get("db.statement", attributes.get("db.query.text"))
    return None if value is None else str(value)


def _sql_spans(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if _statement(span) is not None]


def _every_value(spans: list[ReadableSpan]) -> str:
    """Everything the spans say: names, attributes, events."""
    parts = []
    for span in spans:
        parts.append(span.name)
        parts.extend(f"{k}={v}" for k, v in (span.attributes or {}).items())
        for event in span.events:
            parts.extend(f"{k}={v}" for k, v in (event.attributes or {}).items())
    return "\n".join(parts)


async def _list_activities(traced: Traced, tenant: TenantFixture, **headers: str) -> None:
    headers["Authorization"] = f"Bearer {tenant.token('admin@x.example')}"
    response = await traced.http.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": LIST_ACTIVITIES, "variables": {"slug": SLUG_VALUE}},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert data_of(response.json())["viewer"]["email"] == "admin@x.example"


async def test_a_query_is_a_request_span_an_operation_span_and_its_sql(
    traced: Traced, tenant: TenantFixture
) -> None:
    await _list_activities(traced, tenant)
    spans = traced.finished()
    [server] = _server_spans(spans)
    assert server.name == "POST /t/{tenant_slug}/graphql"
    assert {span.context.trace_id for span in spans} == {server.context.trace_id}
    assert server.parent is None
    attributes = server.attributes or {}
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.route"] == "/t/{tenant_slug}/graphql"
    assert attributes["http.response.status_code"] == 200
    assert attributes["chapters.tenant"] == tenant.slug
    assert attributes["graphql.operation.name"] == "ListActivities"
    assert attributes["graphql.operation.type"] == "query"
    assert len(str(attributes["chapters.request_id"])) == 32
    assert server.status.status_code is StatusCode.UNSET

    [operation] = [span for span in spans if span.name == "query ListActivities"]
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id
    assert (operation.attributes or {})["chapters.compiled"] is False
    sql = _sql_spans(spans)  # the tenant and the caller first, then the operation's
    assert sql and all(_descends_from(span, server, spans) for span in sql)
    assert any(_descends_from(span, operation, spans) for span in sql)
    assert all(span.kind is SpanKind.CLIENT for span in sql)
    assert attributes["chapters.sql_statements"] > 0

    everything = _every_value(spans)
    assert SLUG_VALUE not in everything, "a variable's value"
    assert "@x.example" not in everything, "an address"


async def test_a_known_read_is_answered_by_the_compiled_front_door_in_a_span(
    traced: Traced, tenant: TenantFixture
) -> None:
    await _list_activities(traced, tenant)  # the resolvers' answer makes it known
    traced.spans.clear()
    await _list_activities(traced, tenant)  # the front door's
    spans = traced.finished()
    [server] = _server_spans(spans)
    [operation] = [span for span in spans if span.name == "query ListActivities"]
    assert (operation.attributes or {})["chapters.compiled"] is True
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id
    sql = _sql_spans(spans)
    compiled = [span for span in sql if "json_build_object" in (_statement(span) or "")]
    assert len(compiled) == 1 and _descends_from(compiled[0], operation, spans)
    assert (server.attributes or {})["graphql.operation.name"] == "ListActivities"
    everything = _every_value(spans)
    assert SLUG_VALUE not in everything and "@x.example" not in everything


async def test_a_callers_traceparent_is_continued(traced: Traced, tenant: TenantFixture) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    await _list_activities(traced, tenant, traceparent=f"00-{trace_id}-{parent_id}-01")
    [server] = _server_spans(traced.finished())
    assert _hex(server.context.trace_id, 32) == trace_id
    assert server.parent is not None and _hex(server.parent.span_id, 16) == parent_id
    assert server.parent.is_remote


async def test_the_log_lines_of_a_request_carry_its_trace_id(
    traced: Traced, tenant: TenantFixture, log_lines: io.StringIO
) -> None:
    response = await traced.http.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    [server] = _server_spans(traced.finished())
    trace_id = _hex(server.context.trace_id, 32)
    lines = _lines(log_lines)
    [rejected] = [line for line in lines if line["event"].startswith("rejected bearer")]
    assert rejected["trace_id"] == trace_id
    assert rejected["span_id"] == _hex(server.context.span_id, 16)
    [request] = [line for line in lines if line["event"] == "request"]
    assert request["trace_id"] == trace_id
    assert (server.attributes or {})["http.response.status_code"] == 401


async def test_a_call_to_an_identity_provider_is_a_span_of_the_request(
    traced: Traced, tenant: TenantFixture, provider
) -> None:
    """Trusting a provider reads its discovery document and keys; a token signed with a key
    it rotated in since makes the request that verifies it fetch the keys again."""
    await trust_provider(traced.http, tenant, provider, linkByVerifiedEmail=True)
    assert len(_outbound(traced.finished())) == 2  # the discovery document, the keys
    assert (provider.discovery_hits, provider.jwks_hits) == (1, 1)
    provider.rotate()
    traced.spans.clear()
    token = provider.token(sub="kc-member", email=MEMBER, email_verified=True)
    viewer = data_of(await gql(traced.http, tenant.slug, VIEWER, token=token))["viewer"]
    assert viewer["email"] == MEMBER
    assert provider.jwks_hits == 2
    spans = traced.finished()
    [server] = _server_spans(spans)
    outbound = _outbound(spans)
    assert len(outbound) == provider.discovery_hits + provider.jwks_hits - 2
    for span in outbound:
        assert _descends_from(span, server, spans)
        attributes = span.attributes or {}
        status = attributes.get("http.status_code", attributes.get("http.response.status_code"))
        assert status == 200
        url = attributes.get("http.url", attributes.get("url.full"))
        assert url == provider.issuer, "its origin only"
    assert MEMBER not in _every_value(spans)


def _outbound(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is SpanKind.CLIENT and not _statement(span)]


async def test_a_server_error_is_an_error_span(settings, keys) -> None:
    exporter = InMemorySpanExporter()
    tracing = traces.configure_tracing(settings, exporter)
    assert tracing is not None
    try:
        unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
        async with serving(create_app(settings, app_url=unreachable, keys=keys)) as http:
            assert (await http.get("/readyz")).status_code == 503
    finally:
        tracing.shutdown()
    [server] = _server_spans(list(exporter.get_finished_spans()))
    assert server.name == "GET /readyz"
    assert (server.attributes or {})["http.response.status_code"] == 503
    assert server.status.status_code is StatusCode.ERROR


async def test_a_webhook_delivery_is_a_span_and_carries_its_trace_on(settings) -> None:
    """A worker's delivery: a client span naming the receiver's origin (its path may hold a
    secret), the trace handed on in ``traceparent``, the signature still verifying."""
    exporter = InMemorySpanExporter()
    tracing = traces.configure_tracing(settings, exporter)
    assert tracing is not None
    receiver = Receiver(["whsec_" + base64.b64encode(b"k" * 24).decode()])
    receiver.start()
    try:
        allowed = dataclasses.replace(settings, webhook_allow_private_networks=True)
        secret = receiver.secrets[0]
        url = f"http://127.0.0.1:{receiver.port}/hook/s3cr3t-path"
        body = delivery.body_of({"type": "activity.accepted"})
        headers = delivery.signed_headers([secret], "msg_1", datetime.now(UTC), body)
        outcome = await delivery.post(url, body, headers, allowed)
    finally:
        receiver.stop()
        tracing.shutdown()
    assert outcome.status_code == 204
    [span] = exporter.get_finished_spans()
    assert span.kind is SpanKind.CLIENT and span.parent is None  # a job's, not a request's
    attributes = span.attributes or {}
    assert attributes.get("http.url", attributes.get("url.full")) == url.split("/hook")[0]
    assert "s3cr3t" not in _every_value([span])
    [arrival] = receiver.arrivals
    assert arrival.verified
    assert arrival.headers["traceparent"].split("-")[1] == _hex(span.context.trace_id, 32)


async def test_tracing_is_off_without_an_endpoint(
    settings, client: httpx.AsyncClient, tenant: TenantFixture, log_lines: io.StringIO
) -> None:
    assert settings.otlp_traces_endpoint is None
    assert traces.configure_tracing(settings) is None
    assert traces.active() is None
    one, other = RequestRecord("GET", "/a"), RequestRecord("POST", "/b")
    assert traces.request_span({}, one) is traces.request_span({}, other)
    assert traces.operation_span() is traces.operation_span(compiled=True)
    await gql(client, tenant.slug, VIEWER, token=tenant.token(MEMBER))
    [request] = [line for line in _lines(log_lines) if line["event"] == "request"]
    assert request["trace_id"] is None


def test_the_endpoint_the_service_name_and_the_sampler_come_from_the_environment(
    monkeypatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "chapters-eu")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    settings = load_settings()
    assert settings.otlp_traces_endpoint == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/in")
    settings = load_settings()
    assert settings.otlp_traces_endpoint == "https://traces.example/in"

    tracing = traces.configure_tracing(settings)  # nothing traced: nothing is sent
    assert tracing is not None
    try:
        resource = tracing.provider.resource.attributes
        assert resource["service.name"] == "chapters-eu"
        sampler = tracing.provider.sampler
        assert isinstance(sampler, ParentBased)
        assert isinstance(sampler._root, TraceIdRatioBased) and sampler._root.rate == 0.25
    finally:
        tracing.shutdown()


@pytest.mark.parametrize(
    ("name", "value"),
    [("OTEL_TRACES_SAMPLER", "sometimes"), ("OTEL_TRACES_SAMPLER_ARG", "1.5")],
)
def test_a_sampler_the_sdk_does_not_know_is_refused(monkeypatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


async def test_a_failed_statement_leaves_no_personal_data_on_its_span(settings, urls) -> None:
    """A unique violation's DETAIL quotes the value it refused: the span keeps the type and
    the first line of the message only."""
    exporter = InMemorySpanExporter()
    tracing = traces.configure_tracing(settings, exporter)
    assert tracing is not None
    try:
        connection = await asyncpg.connect(urls.owner.replace("+asyncpg", ""))
        try:
            await connection.execute("CREATE TEMPORARY TABLE seen (email text UNIQUE)")
            with pytest.raises(asyncpg.UniqueViolationError):
                await connection.execute(
                    "INSERT INTO seen VALUES ($1), ($1)", "someone@elsewhere.example"
                )
        finally:
            await connection.close()
    finally:
        tracing.shutdown()
    failed = [span for span in exporter.get_finished_spans() if span.events]
    [event] = failed[0].events
    assert str((event.attributes or {})["exception.type"]).endswith("UniqueViolationError")
    assert "duplicate key" in str((event.attributes or {})["exception.message"])
    assert "someone" not in _every_value(list(exporter.get_finished_spans()))
