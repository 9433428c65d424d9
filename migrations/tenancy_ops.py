"""Migration operations for tenant isolation, used by every revision that adds a tenant table.

Frozen helpers (revisions must keep meaning what they meant when written): change the policy by
adding a new helper and a new revision, never by editing these.
"""

from alembic import op

TENANT_PREDICATE = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
POLICY_NAME = "tenant_isolation"


def app_role() -> str:
    role = op.get_context().config.attributes.get("app_role")
    if role is None:
        from chapters.settings import get_settings

        role = get_settings().app_role
    return '"' + role.replace('"', '""') + '"'


def grant_app(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    op.execute(f"GRANT {privileges} ON {table} TO {app_role()}")


def isolate_tenant_table(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    """Row-level security (enabled and forced, so the owner is bound too) plus app grants."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY_NAME} ON {table} "
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )
    grant_app(table, privileges)


def drop_tenant_isolation(table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
