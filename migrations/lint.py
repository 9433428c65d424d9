"""Migration safety: the statements each migration runs, checked by squawk for locking hazards.

    python -m migrations.lint        (``make lint-migrations``; the test suite runs it too)

Every migration is applied in turn to a scratch database, so that steps which read data run as
they would in production; the statements it sends are captured and linted by squawk, the
PostgreSQL migration linter: adding NOT NULL without a default, building an index on an existing
table without ``CONCURRENTLY``, rewriting a column's type, validating a constraint under an
exclusive lock ... A finding fails the run unless the migration accepts it in its own file,
with its reason, on a line of its own:

    # squawk: allow require-concurrent-index-creation -- <why it is safe here>

An exception no finding uses fails the run too (it would hide the next one). Rules that do not
fit this schema at all are off for every migration (``PROJECT_EXCLUSIONS``, each with why).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from chapters.db.admin import scratch_database, scratch_server_url
from chapters.db.migrations import alembic_config
from chapters.settings import Settings, load_settings

PROJECT_EXCLUSIONS = {
    # Lengths are the schema's own input limits (VARCHAR(n)); widening one later changes only
    # the catalog, without a rewrite.
    "prefer-text-field": "VARCHAR(n) states the input limits; widening needs no rewrite",
    # Integers here are counts, positions and figures; every id is a UUID.
    "prefer-bigint-over-int": "integer columns are counts and positions, never ids",
    "prefer-bigint-over-smallint": "small integers are positions and flags, never ids",
    # Alembic runs each migration in its own transaction (``transaction_per_migration``).
    "prefer-robust-stmts": "each migration runs in one transaction: it applies whole or not",
}
# env.py sets these for every connection that migrates; the captured statements start after.
TIMEOUT_SETTINGS = "SET lock_timeout = '5s';\nSET statement_timeout = '30min';\n"
ALLOW = re.compile(r"^\s*#\s*squawk:\s*allow\s+([a-z0-9-]+)\s+--\s+(\S.*)$")
VERSIONS = Path(__file__).parent / "versions"


@dataclass(frozen=True)
class Finding:
    revision: str
    rule: str
    message: str
    statement: str

    def __str__(self) -> str:
        return f"{self.revision}: {self.rule}: {self.message}\n    {self.statement.strip()[:300]}"


def squawk() -> str:
    found = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))
    if not Path(found).exists():
        raise SystemExit("squawk is not installed: make install (it comes with the dev extras)")
    return found


def lint_sql(sql_by_revision: Mapping[str, str]) -> list[Finding]:
    """squawk's findings on each revision's SQL, the project's exclusions left out."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for revision, sql in sql_by_revision.items():
            path = Path(folder, f"{revision}.sql")
            path.write_text(TIMEOUT_SETTINGS + sql)
            paths[str(path)] = (revision, sql.splitlines())
        if not paths:
            return []
        result = subprocess.run(
            [
                squawk(),
                "--assume-in-transaction",
                "--reporter",
                "json",
                "--exclude",
                ",".join(PROJECT_EXCLUSIONS),
                *paths,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise RuntimeError(f"squawk failed: {result.stderr or result.stdout}")
    findings = []
    for item in json.loads(result.stdout):
        revision, lines = paths[item["file"]]
        line = item["line"] - TIMEOUT_SETTINGS.count("\n")
        statement = lines[line] if 0 <= line < len(lines) else ""
        findings.append(Finding(revision, item["rule_name"], item["message"], statement))
    return findings


def allowed_rules(revision_file: Path) -> dict[str, str]:
    """The findings a migration accepts: rule → reason."""
    allowed = {}
    for line in revision_file.read_text().splitlines():
        match = ALLOW.match(line)
        if match:
            allowed[match.group(1)] = match.group(2)
    return allowed


def captured_sql(server: str, settings: Settings, revisions: Sequence[str]) -> dict[str, str]:
    """Each revision's statements as it ran them on a scratch database of ``server``, oldest
    first."""
    sql: dict[str, str] = {}
    with scratch_database(server, settings, "chapters_lint", migrated=False) as urls:
        for revision in revisions:
            statements: list[str] = []
            config = alembic_config(urls.owner, settings)
            config.attributes["statements"] = statements
            config.attributes["skip_logging"] = True
            command.upgrade(config, revision)
            sql[revision] = "".join(f"{s.strip().rstrip(';')};\n" for s in statements if _ddl(s))
            print(f"  {revision}: {len(statements)} statements", file=sys.stderr, flush=True)
    return sql


def _ddl(statement: str) -> bool:
    """What the migration asked for, not the bookkeeping around it."""
    text = statement.lstrip().upper()
    return not (
        text.startswith("SELECT SET_CONFIG")
        or "ALEMBIC_VERSION" in text
        or text.startswith("SELECT PG_CATALOG")
    )


def revisions_in_order() -> list[tuple[str, Path]]:
    script = ScriptDirectory(str(Path(__file__).parent))
    return [
        (revision.revision, Path(revision.path))
        for revision in reversed(list(script.walk_revisions()))
    ]


def unaccepted(
    findings: Iterable[Finding], files: Mapping[str, Path]
) -> tuple[list[Finding], list[str]]:
    """The findings no exception covers, and the exceptions no finding uses."""
    allowed = {revision: allowed_rules(path) for revision, path in files.items()}
    used: set[tuple[str, str]] = set()
    failing = []
    for finding in findings:
        if finding.rule in allowed.get(finding.revision, {}):
            used.add((finding.revision, finding.rule))
        else:
            failing.append(finding)
    stale = [
        f"{revision}: '# squawk: allow {rule}' matches no finding"
        for revision, rules in allowed.items()
        for rule in rules
        if (revision, rule) not in used
    ]
    return failing, stale


def main() -> int:
    settings = load_settings()
    order = revisions_in_order()
    print(f"==> applying {len(order)} migrations one by one on a scratch database", file=sys.stderr)
    server = scratch_server_url(settings)
    sql = captured_sql(server, settings, [revision for revision, _ in order])
    failing, stale = unaccepted(lint_sql(sql), dict(order))
    for problem in [*map(str, failing), *stale]:
        print(problem)
    if failing or stale:
        print(f"{len(failing)} finding(s), {len(stale)} stale exception(s)", file=sys.stderr)
        return 1
    print(f"{len(order)} migrations: no locking hazards", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
