"""The `chapters` command line, run as a user would: in a subprocess, against the test database."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from chapters.cli import main
from tests.support import data_of, gql, run_cli

COMMANDS = [
    "serve",
    "dev",
    "migrate",
    "seed-demo",
    "create-tenant",
    "token",
    "export-schema",
    "create-client",
    "rotate-client-secret",
    "revoke-client",
    "rotate-signing-key",
    "import-contributions",
    "insight-refresh",
    "export",
    "worker",
    "outbox",
    "mail-catcher",
    "webhook-receiver",
    "export-tenant",
    "import-tenant",
]


def test_every_command_has_help() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    listed = set(main.commands)
    assert listed == set(COMMANDS), "document new commands in the README and here"
    for command in COMMANDS:
        assert command in top.output
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


async def test_create_tenant_then_token_answers_graphql(cli_env, client) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    created = run_cli(
        cli_env,
        "create-tenant",
        "--slug",
        slug,
        "--name",
        "CLI Community",
        "--admin-email",
        "boss@cli.example",
    )
    assert created.returncode == 0, created.stderr
    assert f"created tenant {slug}" in created.stdout
    again = run_cli(cli_env, "create-tenant", "--slug", slug, "--name", "CLI Community")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    issued = run_cli(cli_env, "token", "--tenant", slug, "--email", "BOSS@cli.example")
    assert issued.returncode == 0, issued.stderr
    body = await gql(client, slug, "{ viewer { email tenantRole } }", token=issued.stdout.strip())
    assert data_of(body) == {"viewer": {"email": "boss@cli.example", "tenantRole": "OWNER"}}
    # the insight rollup: built the first time, then only who changed (nobody)
    built = run_cli(cli_env, "insight-refresh", "--tenant", slug)
    assert built.returncode == 0, built.stderr
    assert f"[1/1] {slug}: rebuilt" in built.stdout
    refreshed = run_cli(cli_env, "insight-refresh", "--tenant", slug)
    assert f"[1/1] {slug}: 0 people refreshed, 0 rows" in refreshed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "--tenant", "no-such-tenant", "--email", "a@b.example"], "no tenant"),
        (["create-tenant", "--slug", "Bad Slug!", "--name", "x"], "lowercase letters"),
        (["insight-refresh", "--tenant", "no-such-tenant"], "no tenant"),
    ],
)
def test_bad_input_gets_a_clear_error_not_a_traceback(cli_env, args, message) -> None:
    result = run_cli(cli_env, *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


async def test_seed_demo_is_idempotent_and_tenants_stay_apart(cli_env, client) -> None:
    for _ in range(2):
        seeded = run_cli(cli_env, "seed-demo")
        assert seeded.returncode == 0, seeded.stderr
    assert "tenant demo: already there" in seeded.stdout
    demo_admin = run_cli(cli_env, "token", "--tenant", "demo", "--email", "admin@demo.example")
    token = demo_admin.stdout.strip()
    body = await gql(client, "demo", "{ viewer { email tenantRole } tenant { slug } }", token=token)
    assert data_of(body) == {
        "viewer": {"email": "admin@demo.example", "tenantRole": "ADMIN"},
        "tenant": {"slug": "demo"},
    }
    await gql(client, "acme", "{ viewer { email } }", token=token, expect_status=401)


def test_migrate_is_idempotent(cli_env) -> None:
    result = run_cli(cli_env, "migrate")
    assert result.returncode == 0, result.stderr
    assert "database at head" in result.stderr


def test_export_schema_check_passes(cli_env) -> None:
    result = run_cli(cli_env, "export-schema", "--check")
    assert result.returncode == 0, result.stderr


async def test_clients_are_managed_from_the_command_line(cli_env, client) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    assert run_cli(cli_env, "create-tenant", "--slug", slug, "--name", "CLI").returncode == 0
    created = run_cli(
        cli_env,
        "create-client",
        "--tenant",
        slug,
        "--name",
        "Sync",
        "--kind",
        "service",
        "--scope",
        "activities:read",
    )
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(":", 1) for line in created.stdout.splitlines() if ":" in line)
    client_id, secret = lines["client id"].strip(), lines["client secret"].split()[0]
    token = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert token.status_code == 200
    revoked = run_cli(cli_env, "revoke-client", "--tenant", slug, "--client-id", client_id)
    assert revoked.returncode == 0, revoked.stderr
    refused = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert refused.status_code == 401
    unknown = run_cli(cli_env, "revoke-client", "--tenant", slug, "--client-id", client_id)
    assert unknown.returncode == 1 and "no active client" in unknown.stderr
