"""The checked-in SDL matches the code, and every example operation validates and runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import parse, validate
from sqlalchemy import event

from chapters.api.ids import global_id
from chapters.api.schema import schema
from chapters.models import TenantRole
from chapters.settings import PROJECT_ROOT
from tests.support import TenantFixture, gql, make_chapter, staff_session_call

SDL_FILE = PROJECT_ROOT / "graphql" / "schema.graphql"
OPERATIONS = sorted((PROJECT_ROOT / "graphql" / "operations").rglob("*.graphql"))
OPERATION_TEXT = {path: path.read_text() for path in OPERATIONS}
VARIABLES_LINE = re.compile(r"^# variables: (.*)$", re.MULTILINE)


def test_checked_in_schema_is_current() -> None:
    assert SDL_FILE.read_text() == schema.as_str() + "\n", (
        "graphql/schema.graphql is stale: run `chapters export-schema`"
    )


def test_there_are_example_operations() -> None:
    assert len(OPERATIONS) >= 4


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_exported_schema(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text()))
    assert errors == []


async def _operation_world(tenants, owner_engine) -> tuple[TenantFixture, dict[str, str]]:
    """A small tenant for the example operations, and the ids their placeholders stand for."""
    from datetime import date

    from chapters.memberships.service import join
    from chapters.models import Committee, CommitteeKind, CommitteeSeat, SeatRole

    tenant = await tenants.create(
        people={
            "admin@x.example": TenantRole.ADMIN,
            "lead@x.example": None,
            "member@x.example": None,
            "newcomer@x.example": None,
        }
    )
    chapter = await make_chapter(
        owner_engine,
        tenant,
        "shanghai",
        staff="admin@x.example",
        lead="lead@x.example",
        members=("member@x.example",),
    )
    other = await make_chapter(owner_engine, tenant, "hangzhou", staff="admin@x.example")

    async def extras(session, principal):
        invitation = await join(
            session, principal, other.id, tenant.people["admin@x.example"].id, invite=True
        )
        member = await join(
            session, principal, other.id, tenant.people["member@x.example"].id, invite=False
        )
        committee = Committee(name="User Committee", kind=CommitteeKind.USER_COMMITTEE)
        session.add(committee)
        await session.flush()
        seat = CommitteeSeat(
            committee_id=committee.id,
            person_id=tenant.people["lead@x.example"].id,
            role=SeatRole.MEMBER,
            starts_on=date(2024, 1, 1),
        )
        session.add(seat)
        await session.flush()
        return invitation.id, member.id, committee.id, seat.id

    invitation_id, membership_id, committee_id, seat_id = await staff_session_call(
        owner_engine, tenant, "admin@x.example", extras
    )
    people = {email: person.id for email, person in tenant.people.items()}
    return tenant, {
        "@viewerPersonId": global_id("Person", people["admin@x.example"]),
        "@personId": global_id("Person", people["newcomer@x.example"]),
        "@memberPersonId": global_id("Person", people["member@x.example"]),
        "@chapterId": global_id("Chapter", chapter.id),
        "@membershipId": global_id("ChapterMembership", membership_id),
        "@viewerInvitationId": global_id("ChapterMembership", invitation_id),
        "@committeeId": global_id("Committee", committee_id),
        "@seatId": global_id("CommitteeSeat", seat_id),
    }


TRANSACTION_CONTROL = (
    "SELECT set_config",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
)


def names_the_tenant(statement: str) -> bool:
    """Tenant tables by tenant_id; the tenant row itself by its id (or slug, at the edge)."""
    text = " ".join(statement.split())
    return (
        "tenant_id" in text
        or "tenants.id = " in text
        or "tenants.id IN (" in text
        or text.startswith(TRANSACTION_CONTROL)
        or text.startswith("SELECT tenants.id FROM tenants WHERE tenants.slug = ")
    )


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
async def test_operation_runs(client, app, tenants, owner_engine, path: Path) -> None:
    """Each operation on its own small world, as the tenant admin: no errors at all, and every
    SQL statement it causes names the tenant explicitly (what a Citus router plan needs)."""
    tenant, placeholders = await _operation_world(tenants, owner_engine)
    text = OPERATION_TEXT[path]
    match = VARIABLES_LINE.search(text)
    raw = match.group(1) if match else "{}"
    for placeholder, value in placeholders.items():
        raw = raw.replace(json.dumps(placeholder), json.dumps(value))
    assert '"@' not in raw, f"unknown placeholder in {path.name}: {raw}"
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        body = await gql(
            client, tenant.slug, text, json.loads(raw), token=tenant.token("admin@x.example")
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "errors" not in body, body
    unscoped = [statement for statement in statements if not names_the_tenant(statement)]
    assert unscoped == [], unscoped
    payload_errors = [
        value["errors"]
        for value in body["data"].values()
        if isinstance(value, dict) and "errors" in value
    ]
    assert all(errors == [] for errors in payload_errors), payload_errors
    assert all(value is not None for value in body["data"].values())
