"""Logs as an operator reads them: one JSON line per request that says which request, tenant
and operation it was, how it ended, how long it took and how many SQL statements it sent;
every other line of a request names the request; nothing personal and no credential, ever."""

from __future__ import annotations

import io
import json
import logging

import httpx
from litestar import Litestar

from chapters.models import TenantRole
from chapters.observability.logs import configure_logging, scrubbed
from tests.log_scan import leaks_in
from tests.support import TenantFactory, logged_lines, make_chapter, statements_sent

GRAPHQL_ROUTE = "/t/{tenant_slug}/graphql"


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "chapters.request"]


async def test_a_request_is_one_line_with_its_id_tenant_operation_outcome_and_statements(
    client: httpx.AsyncClient, app: Litestar, tenants: TenantFactory
) -> None:
    tenant = await tenants.create()
    token = tenant.token("admin@x.example")
    with logged_lines() as lines, statements_sent(app.state.runtime.engine) as statements:
        response = await client.post(
            f"/t/{tenant.slug}/graphql",
            json={"query": "query TenantName { tenant { name } }"},
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-4711"},
        )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-4711"
    [line] = _request_lines(lines)
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["request_id"] == "req-4711"
    assert line["method"] == "POST"
    assert line["route"] == GRAPHQL_ROUTE
    assert line["tenant"] == tenant.slug
    assert (line["operation"], line["operation_type"]) == ("TenantName", "query")
    assert (line["status"], line["outcome"]) == (200, "ok")
    assert line["sql_statements"] == len(statements) > 0
    assert 0 < line["duration_ms"] < 10_000
    assert line["timestamp"].endswith("Z")
    assert token not in json.dumps(lines)


async def test_a_request_without_an_id_gets_one_and_answers_with_it(
    client: httpx.AsyncClient, tenants: TenantFactory
) -> None:
    tenant = await tenants.create()
    with logged_lines() as lines:
        response = await client.post(
            f"/t/{tenant.slug}/graphql", json={"query": "{ tenant { name } }"}
        )
    [line] = _request_lines(lines)
    assert len(line["request_id"]) == 32
    assert response.headers["x-request-id"] == line["request_id"]
    assert line["operation"] is None  # an anonymous operation
    assert line["operation_type"] == "query"


async def test_outcomes_tell_errors_refusals_and_mutations_apart(
    client: httpx.AsyncClient, tenants: TenantFactory
) -> None:
    tenant = await tenants.create()
    url = f"/t/{tenant.slug}/graphql"
    admin = {"Authorization": f"Bearer {tenant.token('admin@x.example')}"}
    with logged_lines() as lines:
        unknown_field = await client.post(url, json={"query": "{ tenant { nope } }"})
        bad_token = await client.post(
            url, json={"query": "{ tenant { name } }"}, headers={"Authorization": "Bearer x.y.z"}
        )
        mutation = await client.post(
            url,
            json={
                "query": "mutation Rename($name: String!) { tenantUpdate(input: {name: $name})"
                " { errors { field code } } }",
                "variables": {"name": ""},
            },
            headers=admin,
        )
        missing = await client.post(
            "/t/no-such-tenant/graphql", json={"query": "{ tenant { name } }"}
        )
    first, second, third, fourth = _request_lines(lines)
    assert (first["status"], first["outcome"]) == (unknown_field.status_code, "client_error")
    assert (second["status"], second["outcome"]) == (401, "client_error")
    assert bad_token.status_code == 401
    assert (third["operation"], third["operation_type"]) == ("Rename", "mutation")
    assert third["status"] == mutation.status_code
    assert third["outcome"] in ("ok", "graphql_errors")
    assert (fourth["status"], fourth["outcome"], fourth["tenant"]) == (404, "client_error", None)
    assert missing.status_code == 404


async def test_a_known_read_answered_by_the_front_door_logs_its_one_statement(
    client: httpx.AsyncClient, app: Litestar, tenants: TenantFactory, owner_engine
) -> None:
    tenant = await tenants.create()
    await make_chapter(owner_engine, tenant, "logs-town", staff="admin@x.example")
    request = {
        "query": "query ChapterName($slug: String!) { chapter(slug: $slug) { name } }",
        "variables": {"slug": "logs-town"},
    }
    headers = {"Authorization": f"Bearer {tenant.token('admin@x.example')}"}
    for _ in range(2):  # Strawberry answers first; then the caller is known to the front door
        await client.post(f"/t/{tenant.slug}/graphql", json=request, headers=headers)
    with logged_lines() as lines, statements_sent(app.state.runtime.engine) as statements:
        response = await client.post(f"/t/{tenant.slug}/graphql", json=request, headers=headers)
    assert response.json()["data"]["chapter"]["name"] == "Logs-Town"
    [line] = _request_lines(lines)
    assert "json_build_object" in statements[0]  # answered by the compiled statement
    assert line["sql_statements"] == len(statements) == 1
    assert (line["operation"], line["tenant"], line["outcome"]) == (
        "ChapterName",
        tenant.slug,
        "ok",
    )


async def test_a_line_logged_inside_a_request_names_the_request(
    client: httpx.AsyncClient, tenants: TenantFactory
) -> None:
    tenant = await tenants.create()
    with logged_lines() as lines:
        response = await client.post(
            f"/t/{tenant.slug}/graphql",
            json={"query": "{ tenant { name } }"},
            headers={"Authorization": "Bearer not-a-token-at-all", "X-Request-ID": "req-42"},
        )
    assert response.status_code == 401
    [rejected] = [line for line in lines if line["logger"] == "chapters.auth"]
    assert rejected["request_id"] == "req-42"
    assert rejected["tenant"] == tenant.slug
    assert "not-a-token-at-all" not in json.dumps(lines)


def test_addresses_tokens_and_passwords_are_scrubbed_even_from_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    chapters = next(h for h in logging.getLogger().handlers if h.get_name() == "chapters")
    handler.setFormatter(chapters.formatter)
    log = logging.getLogger("chapters.test")
    log.addHandler(handler)
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz"
    try:
        try:
            raise ValueError("Key (email)=(ada@lovelace.example) already exists")
        except ValueError:
            log.exception(
                "sign-in of %s failed with %s via postgresql://app:hunter2@db/chapters",
                "grace@hopper.example",
                f"Authorization: Bearer {jwt}",
                extra={"people": ["x@y.example"]},
            )
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "[email]" in output and "[token]" in output and ":[secret]@" in output
    assert leaks_in(output.splitlines(), "output") == []
    for secret in ("ada@lovelace.example", "grace@hopper.example", jwt, "hunter2"):
        assert secret not in output
    assert "ValueError" in json.loads(output)["exception"]  # the traceback stays


def test_the_scan_finds_what_must_not_be_logged() -> None:
    """The suite-wide scan (tests/log_scan.py) can fail: it finds each kind of leak."""
    lines = [
        '{"event": "sent to ada@lovelace.example"}',
        '{"event": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"}',
        '{"event": "Authorization: Bearer abcdefghijkl"}',
        '{"event": "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}',
        '{"event": "postgresql://app:hunter2@db/chapters"}',
        '{"event": "feed Xq3_generated-secret-value-0123456789abcdef"}',
        '{"event": "nothing here, [email] and Bearer [token] and ://app:[secret]@db"}',
    ]
    found = leaks_in(lines, "f", {"Xq3_generated-secret-value-0123456789abcdef"})
    assert [leak.line for leak in found] == [1, 2, 3, 4, 5, 6]
    assert scrubbed(lines[0]) == '{"event": "sent to [email]"}'


def test_console_logs_read_as_text_for_people() -> None:
    """``chapters dev`` (CHAPTERS_LOG_FORMAT=console): aligned text, not JSON."""
    root = logging.getLogger()
    chapters = next(h for h in root.handlers if h.get_name() == "chapters")
    stream = io.StringIO()
    try:
        configure_logging("console", stream=stream)
        logging.getLogger("chapters.test").info("chapter %s renamed", "Hangzhou")
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "chapters"]:
            root.removeHandler(handler)
        root.addHandler(chapters)  # the suite's JSON handler, for the log scan
    text = stream.getvalue()
    assert "chapter Hangzhou renamed" in text
    assert "[info" in text and "chapters.test" in text
    assert not text.lstrip().startswith("{")


async def test_the_request_line_never_quotes_the_path_or_the_query(
    client: httpx.AsyncClient, tenants: TenantFactory
) -> None:
    """A feed's path carries its token; a document may quote an address: the line has the
    route's template and the operation's name only."""
    tenant = await tenants.create(people={"lead@x.example": TenantRole.ADMIN})
    with logged_lines() as lines:
        await client.get(f"/t/{tenant.slug}/people/feed/{'A' * 43}.ics")
        await client.post(
            f"/t/{tenant.slug}/graphql",
            json={"query": '{ person(email: "someone@else.example") { id } }'},
        )
    text = json.dumps(_request_lines(lines))
    assert "A" * 43 not in text
    assert "someone@else.example" not in text
