"""Every migration passes the PostgreSQL migration linter (``migrations/lint.py``, squawk), or
says in its own file why a finding is safe; the linter itself catches what it should."""

from __future__ import annotations

from pathlib import Path

from migrations import lint


def test_every_migration_is_free_of_locking_hazards_or_says_why(urls, settings) -> None:
    order = lint.revisions_in_order()
    sql = lint.captured_sql(urls.admin, settings, [revision for revision, _ in order])
    assert set(sql) == {revision for revision, _ in order}
    failing, stale = lint.unaccepted(lint.lint_sql(sql), dict(order))
    assert failing == [], "\n".join(map(str, failing))
    assert stale == []


def test_the_linter_finds_the_hazards_of_a_careless_migration() -> None:
    careless = (
        "ALTER TABLE people ADD COLUMN nickname varchar(50) NOT NULL;\n"
        "CREATE INDEX ix_people_nickname ON people (nickname);\n"
        "ALTER TABLE activities ALTER COLUMN title TYPE text;\n"
    )
    rules = {finding.rule for finding in lint.lint_sql({"careless": careless})}
    assert {
        "adding-required-field",
        "require-concurrent-index-creation",
        "changing-column-type",
    } <= rules
    # a new table's index, built in the same migration, locks nobody
    fresh = "CREATE TABLE t (id uuid PRIMARY KEY, x int);\nCREATE INDEX ix_t_x ON t (x);\n"
    assert lint.lint_sql({"fresh": fresh}) == []


def test_an_exception_needs_a_reason_and_a_finding(tmp_path: Path) -> None:
    migration = tmp_path / "x.py"
    migration.write_text(
        "# squawk: allow require-concurrent-index-creation -- the table is new\n"
        "# squawk: allow ban-drop-column\n"  # no reason: not an exception
    )
    assert lint.allowed_rules(migration) == {
        "require-concurrent-index-creation": "the table is new"
    }
    finding = lint.Finding("x", "ban-drop-column", "Dropping a column", "ALTER TABLE …")
    failing, stale = lint.unaccepted([finding], {"x": migration})
    assert failing == [finding]
    assert stale == ["x: '# squawk: allow require-concurrent-index-creation' matches no finding"]
