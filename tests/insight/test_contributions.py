"""Code contributions recorded by import: from files (the service and the command line) and
through ``contributionsImport``, matched to people by GitHub handle, idempotent by URL."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from chapters.auth.operator import operator_principal
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.errors import InvalidInput
from chapters.insight.contributions import (
    ImportFormat,
    ImportSummary,
    InvalidLine,
    UnmatchedHandle,
    import_contributions,
)
from chapters.models import CodeContribution, Person, TenantRole
from tests.support import code_set, data_of, gql, make_chapter, run_cli, statements_sent

OPS, ADMIN = "ops@x.example", "admin@x.example"
LEAD, MEMBER = "lead@x.example", "member@x.example"
ANN, BOB = "ann@x.example", "bob@x.example"
HANDLES = {ANN: "OctoCat", BOB: "bob-builder"}

HELLO = "https://github.com/octo-org/hello"
CSV_FILE = f"""handle,repository,kind,url,date
octocat,octo-org/hello,pr,{HELLO}/pull/1,2025-06-01
BOB-BUILDER,octo-org/hello,PullRequestReviewEvent,{HELLO}/pull/1#review-7,2025-06-02T10:00:00+08:00
ghost,octo-org/hello,commit,{HELLO}/commit/abc,2025-06-03
bob-builder,octo-org/hello,fork,{HELLO},2025-06-04

-bad-,octo-org/hello,issue,{HELLO}/issues/2,2025-06-05
Ghost,octo-org/hello,issue,{HELLO}/issues/3,2025-06-05
nobody-else,octo-org/other,issue,ftp://example.org/x,not-a-date
@octocat,octo-org/hello,commit,{HELLO}/commit/def,2025-06-06T08:00:00
"""
# Lines 2, 3 and 10 are recorded; 5, 7 and 9 are invalid; 4 and 8 are ghost's (nobody's).
CSV_INVALID = [
    InvalidLine(5, "kind 'fork' is not one of commit, pull_request, review, issue, other"),
    InvalidLine(
        7,
        "handle '-bad-' is not a GitHub handle (up to 39 letters, digits and single hyphens, "
        "not starting or ending with one)",
    ),
    InvalidLine(
        9,
        "url 'ftp://example.org/x' is not an http(s) URL; date 'not-a-date' is not an ISO "
        "date or date-time (2025-06-01 or 2025-06-01T12:00:00Z)",
    ),
]
CSV_RECORDED = [
    (ANN, "octocat", "commit", f"{HELLO}/commit/def", datetime(2025, 6, 6, 8, tzinfo=UTC)),
    (ANN, "octocat", "pull_request", f"{HELLO}/pull/1", datetime(2025, 6, 1, tzinfo=UTC)),
    (BOB, "BOB-BUILDER", "review", f"{HELLO}/pull/1#review-7", datetime(2025, 6, 2, 2, tzinfo=UTC)),
]

JSONL_FILE = f"""{{"handle": "octocat", "repository": "octo-org/hello", "kind": "PullRequestEvent", "url": "{HELLO}/pull/9", "date": "2025-07-01T12:00:00Z"}}
this is not JSON
[1, 2]
{{"handle": "Bob-Builder", "repository": "octo-org/hello", "kind": "issues", "url": "{HELLO}/issues/9", "occurred_at": "2025-07-02", "extra": true}}

{{"handle": "octocat", "repository": "octo-org/hello", "kind": "pr", "url": "{HELLO}/pull/9", "date": "2025-07-01"}}
{{"handle": 42, "repository": "hello", "kind": "issue", "url": "{HELLO}/issues/10", "date": "2025-07-03"}}
"""


@pytest.fixture
async def tenant(tenants, owner_engine):
    tenant = await tenants.create(
        "contrib",
        {
            OPS: TenantRole.OPS,
            ADMIN: TenantRole.ADMIN,
            LEAD: None,
            MEMBER: None,
            ANN: None,
            BOB: None,
        },
    )
    await make_chapter(owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, members=(MEMBER,))
    await set_handles(owner_engine, tenant, HANDLES)
    return tenant


async def set_handles(owner_engine, tenant, handles: dict[str, str]) -> None:
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for email, handle in handles.items():
            await session.execute(
                update(Person)
                .where(Person.id == tenant.people[email].id)
                .values(github_handle=handle)
            )


async def run_import(app_engine, tenant, text: str, import_format: ImportFormat) -> ImportSummary:
    """The import as the command line runs it: the tenant's operator, one transaction."""
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        operator = operator_principal(tenant.id)
        return await import_contributions(session, operator, io.StringIO(text), import_format)


async def recorded(app_engine, tenant) -> list[tuple]:
    """The tenant's contributions as (whose email, handle, kind, url, when), by url."""
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        rows = await session.execute(
            select(
                Person.email,
                CodeContribution.github_handle,
                CodeContribution.kind,
                CodeContribution.url,
                CodeContribution.occurred_at,
            )
            .join(Person, Person.id == CodeContribution.person_id)
            .order_by(CodeContribution.url)
        )
        return [(email, handle, kind.value, url, at) for email, handle, kind, url, at in rows]


async def test_csv_records_matched_events_once_and_reports_the_rest(app_engine, tenant) -> None:
    first = await run_import(app_engine, tenant, CSV_FILE, ImportFormat.CSV)
    assert first == ImportSummary(
        read=8,
        recorded=3,
        already_recorded=0,
        invalid=3,
        invalid_lines=CSV_INVALID,
        unmatched=[UnmatchedHandle("ghost", 2)],
    )
    assert await recorded(app_engine, tenant) == CSV_RECORDED

    again = await run_import(app_engine, tenant, CSV_FILE, ImportFormat.CSV)
    assert (again.read, again.recorded, again.already_recorded, again.invalid) == (8, 0, 3, 3)
    assert again.unmatched == [UnmatchedHandle("ghost", 2)]
    assert await recorded(app_engine, tenant) == CSV_RECORDED


async def test_json_lines_and_a_url_twice_in_one_file(app_engine, tenant) -> None:
    summary = await run_import(app_engine, tenant, JSONL_FILE, ImportFormat.JSONL)
    assert summary == ImportSummary(
        read=6,
        recorded=2,
        already_recorded=1,  # line 6 repeats line 1's URL
        invalid=3,
        invalid_lines=[
            InvalidLine(2, "not a JSON object"),
            InvalidLine(3, "not a JSON object"),
            InvalidLine(7, "handle is not text; repository 'hello' is not of the form owner/name"),
        ],
        unmatched=[],
    )
    assert await recorded(app_engine, tenant) == [
        (BOB, "Bob-Builder", "issue", f"{HELLO}/issues/9", datetime(2025, 7, 2, tzinfo=UTC)),
        (ANN, "octocat", "pull_request", f"{HELLO}/pull/9", datetime(2025, 7, 1, 12, tzinfo=UTC)),
    ]


async def test_a_handle_shared_by_two_people_is_not_guessed(app_engine, tenant, owner_engine):
    await set_handles(owner_engine, tenant, {LEAD: "twin", MEMBER: "TWIN"})
    text = "Handle,Repository,Kind,URL,Date,Comment\ntwin,a/b,commit,https://x.example/1,2025-01-01,hi\n"
    summary = await run_import(app_engine, tenant, text, ImportFormat.CSV)
    assert (summary.read, summary.recorded) == (1, 0)
    assert summary.unmatched == [UnmatchedHandle("twin", 1, people=2)]


async def test_a_file_without_the_columns_is_refused_whole(app_engine, tenant) -> None:
    with pytest.raises(InvalidInput) as refused:
        await run_import(app_engine, tenant, "user,repo\nann,a/b\n", ImportFormat.CSV)
    assert "The header lacks handle, kind, url, date" in str(refused.value)
    with pytest.raises(InvalidInput, match="The file is empty"):
        await run_import(app_engine, tenant, "", ImportFormat.CSV)


async def test_another_tenants_person_with_the_same_handle_is_never_matched(
    app_engine, owner_engine, tenants, tenant
) -> None:
    other = await tenants.create("contrib-other", {"octo@y.example": None})
    await set_handles(owner_engine, other, {"octo@y.example": "octocat"})
    lonely = await tenants.create("contrib-lonely", {"admin@x.example": TenantRole.ADMIN})
    event = (
        f"handle,repository,kind,url,date\nOCTOCAT,octo-org/hello,pr,{HELLO}/pull/77,2025-08-01\n"
    )

    summary = await run_import(app_engine, lonely, event, ImportFormat.CSV)
    assert (summary.recorded, summary.unmatched) == (0, [UnmatchedHandle("OCTOCAT", 1)])
    assert await recorded(app_engine, lonely) == []
    assert await recorded(app_engine, other) == []

    # In each tenant, its own person: the same URL is new to each.
    for owner, email in ((tenant, ANN), (other, "octo@y.example")):
        summary = await run_import(app_engine, owner, event, ImportFormat.CSV)
        assert (summary.recorded, summary.already_recorded) == (1, 0)
        assert [row[0] for row in await recorded(app_engine, owner)] == [email]


CONTRIBUTIONS_IMPORT = """mutation ($input: ContributionsImportInput!) {
  contributionsImport(input: $input) {
    recorded alreadyRecorded unmatchedHandles { handle events } errors { field code message }
  }
}"""
CREATE_CLIENT = """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  client { clientId } clientSecret errors { code } } }"""


def event(handle: str, number: int, kind: str = "PULL_REQUEST") -> dict:
    return {
        "handle": handle,
        "repository": "octo-org/hello",
        "kind": kind,
        "url": f"{HELLO}/pull/{number}",
        "occurredAt": "2025-09-01T09:00:00+08:00",
    }


async def import_as(client, tenant, token: str, events: list[dict]) -> dict:
    body = await gql(
        client, tenant.slug, CONTRIBUTIONS_IMPORT, {"input": {"events": events}}, token=token
    )
    return data_of(body)["contributionsImport"]


async def service_token(client, tenant, scopes: list[str]) -> str:
    body = await gql(
        client,
        tenant.slug,
        CREATE_CLIENT,
        {"input": {"name": "GitHub sync", "kind": "SERVICE", "scopes": scopes}},
        token=tenant.token(ADMIN),
    )
    created = data_of(body)["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client"]["clientId"], created["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def test_mutation_records_for_ops_and_a_service_client_with_the_scope(
    client, app_engine, tenant
) -> None:
    events = [event("octocat", 1), event("Bob-Builder", 2, "REVIEW"), event("ghost", 3)]
    by_ops = await import_as(client, tenant, tenant.token(OPS), events)
    assert by_ops == {
        "recorded": 2,
        "alreadyRecorded": 0,
        "unmatchedHandles": [{"handle": "ghost", "events": 1}],
        "errors": [],
    }
    sync = await service_token(client, tenant, ["contributions:write"])
    by_client = await import_as(client, tenant, sync, [*events, event("OCTOCAT", 4, "COMMIT")])
    assert by_client == {
        "recorded": 1,
        "alreadyRecorded": 2,
        "unmatchedHandles": [{"handle": "ghost", "events": 1}],
        "errors": [],
    }
    nine_am_shanghai = datetime(2025, 9, 1, 1, tzinfo=UTC)
    assert await recorded(app_engine, tenant) == [
        (ANN, "octocat", "pull_request", f"{HELLO}/pull/1", nine_am_shanghai),
        (BOB, "Bob-Builder", "review", f"{HELLO}/pull/2", nine_am_shanghai),
        (ANN, "OCTOCAT", "commit", f"{HELLO}/pull/4", nine_am_shanghai),
    ]
    # each import leaves one entry in the audit log: who, and what it did
    log = await gql(
        client,
        tenant.slug,
        """{ auditLog(first: 10) { edges { node { action objectType actor { displayName }
          changes { field after } } } } }""",
        token=tenant.token(OPS),
    )
    imports = [
        edge["node"]
        for edge in data_of(log)["auditLog"]["edges"]
        if edge["node"]["objectType"] == "CodeContributionImport"
    ]
    assert [entry["action"] for entry in imports] == ["contributionsImport"] * 2
    by_ops_entry = imports[-1]  # newest first
    assert by_ops_entry["actor"] == {"displayName": "ops"}
    assert {c["field"]: c["after"] for c in by_ops_entry["changes"]}["recorded"] == 2


async def test_mutation_is_refused_to_leads_members_and_other_clients(
    client, app_engine, tenant
) -> None:
    other_client = await service_token(client, tenant, ["activities:write"])
    for token in (tenant.token(LEAD), tenant.token(MEMBER), other_client):
        payload = await import_as(client, tenant, token, [event("octocat", 1)])
        assert code_set(payload) == {(None, "FORBIDDEN")}
        assert (payload["recorded"], payload["unmatchedHandles"]) == (0, [])
    assert await recorded(app_engine, tenant) == []


async def test_mutation_records_all_valid_events_or_none(client, app_engine, tenant) -> None:
    bad = {**event("octocat", 2), "handle": "not a handle", "url": "javascript:alert(1)"}
    payload = await import_as(client, tenant, tenant.token(ADMIN), [event("octocat", 1), bad])
    assert code_set(payload) == {("events.1.handle", "INVALID"), ("events.1.url", "INVALID")}
    too_many = [event("octocat", n) for n in range(1001)]
    payload = await import_as(client, tenant, tenant.token(ADMIN), too_many)
    assert [(e["field"], e["message"]) for e in payload["errors"]] == [
        ("events", "At most 1000 events at once")
    ]
    assert await recorded(app_engine, tenant) == []


def chapters(env: dict[str, str], *args: str, stdin: str | None = None):
    return run_cli(env, "import-contributions", *args, stdin=stdin)


async def test_command_prints_the_summary(cli_env, tenant, tmp_path, app_engine) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV_FILE)
    result = chapters(cli_env, "--tenant", tenant.slug, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "8 events read: 3 recorded, 0 already recorded, 3 invalid, 2 with unmatched handles",
        "invalid lines:",
        *(f"  line {line.line}: {line.reason}" for line in CSV_INVALID),
        "unmatched handles:",
        "  ghost  2 events",
    ]
    assert await recorded(app_engine, tenant) == CSV_RECORDED

    piped = chapters(cli_env, "--tenant", tenant.slug, "-", stdin=JSONL_FILE)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.splitlines()[0] == (
        "6 events read: 2 recorded, 1 already recorded, 3 invalid, 0 with unmatched handles"
    )


def test_command_fails_clearly_on_a_missing_file_or_only_invalid_lines(
    cli_env, tenant, tmp_path
) -> None:
    missing = chapters(cli_env, "--tenant", tenant.slug, str(tmp_path / "nowhere.csv"))
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr and "nowhere.csv" in missing.stderr
    assert "Traceback" not in missing.stderr

    path = tmp_path / "bad.ndjson"
    path.write_text('{"handle": "octocat"}\nnot json\n')
    invalid = chapters(cli_env, "--tenant", tenant.slug, str(path))
    assert invalid.returncode == 1
    assert "every line is invalid" in invalid.stderr
    assert "  line 2: not a JSON object" in invalid.stdout
    assert "Traceback" not in invalid.stderr

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        f"handle,repository,kind,url,date\nJos\xe9,a/b,pr,{HELLO}/1,2025-01-01\n".encode("latin-1")
    )
    undecodable = chapters(cli_env, "--tenant", tenant.slug, str(latin1))
    assert undecodable.returncode == 1
    assert "line 2 is not UTF-8 text" in undecodable.stderr
    assert "Traceback" not in undecodable.stderr


async def test_a_large_file_is_recorded_in_batches(app_engine, tenant) -> None:
    lines = ["handle,repository,kind,url,date"]
    lines += [f"octocat,octo-org/hello,commit,{HELLO}/commit/{n},2025-01-01" for n in range(2500)]
    lines += [f"ghost-{n % 3},octo-org/hello,issue,{HELLO}/issues/{n},2025-01-01" for n in range(7)]
    with statements_sent(app_engine) as statements:
        summary = await run_import(app_engine, tenant, "\n".join(lines), ImportFormat.CSV)
    assert (summary.read, summary.recorded, summary.already_recorded) == (2507, 2500, 0)
    assert summary.unmatched == [
        UnmatchedHandle("ghost-0", 3),
        UnmatchedHandle("ghost-1", 2),
        UnmatchedHandle("ghost-2", 2),
    ]
    # Batches of 1000: three INSERTs; each handle looked up once, in the batch it first shows in.
    inserts = [s for s in statements if s.startswith("INSERT INTO code_contributions")]
    lookups = [s for s in statements if "lower(people.github_handle)" in s]
    assert (len(inserts), len(lookups)) == (3, 2)
    assert len(await recorded(app_engine, tenant)) == 2500
