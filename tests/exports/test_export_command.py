"""``chapters export``, run as a user would: in a subprocess, against the test database."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from chapters.models import Activity, ActivityKind, ActivityStatus, AuditEntry, TenantRole
from tests.exports.test_exports import _in_tenant
from tests.support import TenantFixture, make_chapter, run_cli

OPS = "ops@x.example"


def chapters(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_cli(env, *args, text=False)


@pytest.fixture(scope="module")
async def tenant(tenants, owner_engine) -> TenantFixture:
    tenant = await tenants.create(prefix="cli-export", people={OPS: TenantRole.OPS})
    chapter = await make_chapter(owner_engine, tenant, "east", staff=OPS)

    async def add(session) -> None:
        for day, title in ((3, "Third"), (1, "=1+1")):
            session.add(
                Activity(
                    chapter_id=chapter.id,
                    kind=ActivityKind.TALK,
                    status=ActivityStatus.ACCEPTED,
                    title=title,
                    starts_at=datetime(2026, 5, day, 9, tzinfo=UTC),
                    timezone="UTC",
                )
            )

    await _in_tenant(owner_engine, tenant, add)
    return tenant


async def test_export_to_a_file_is_audited(cli_env, tenant, tmp_path, owner_engine) -> None:
    target = tmp_path / "activities.csv"
    done = chapters(cli_env, "export", "--tenant", tenant.slug, "activities", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert b"2 rows written to" in done.stderr
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert [row[4:6] for row in rows] == [
        ["title", "starts_at"],
        ["'=1+1", "2026-05-01T09:00:00+00:00"],
        ["Third", "2026-05-03T09:00:00+00:00"],
    ]
    assert list(tmp_path.iterdir()) == [target]  # the partial file is gone

    async def entries(session) -> list[AuditEntry]:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "export")))

    (entry,) = await _in_tenant(owner_engine, tenant, entries)
    assert entry.actor_id is None  # the operator
    assert entry.changes["fields"]["rows"] == [None, 2]
    assert entry.changes["fields"]["complete"] == [None, True]


def test_export_to_standard_output_with_filters(cli_env, tenant) -> None:
    done = chapters(
        cli_env,
        *("export", "activities", "--tenant", tenant.slug, "--from", "2026-05-02"),
        *("--chapter", "east", "--status", "accepted"),
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"), newline="")))
    assert [row[4] for row in rows] == ["title", "Third"]
    assert b"1 rows written to standard output" in done.stderr


def test_export_as_xlsx(cli_env, tenant, tmp_path) -> None:
    target = tmp_path / "people.xlsx"
    done = chapters(
        cli_env, "export", "--tenant", tenant.slug, "people", "--format", "xlsx", "-o", str(target)
    )
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(target, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("display_name", "email")  # the operator sees every column
    assert rows[1][:2] == ("ops", OPS)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["rainbows"], b"the exports are: activities, chapter-health, community-metrics"),
        (["activities", "--from", "May"], b"YYYY-MM-DD"),
        (["people", "--chapter", "east"], b"takes no filter"),
        (["activities", "--chapter", "nowhere"], b"no chapter 'nowhere'"),
    ],
)
def test_bad_requests_get_a_clear_error(cli_env, tenant, args, says) -> None:
    done = chapters(cli_env, "export", "--tenant", tenant.slug, *args)
    assert done.returncode == 1
    assert says in done.stderr
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""


def test_an_unknown_tenant(cli_env) -> None:
    done = chapters(cli_env, "export", "--tenant", "no-such-tenant", "activities")
    assert done.returncode == 1
    assert b"no tenant 'no-such-tenant'" in done.stderr
