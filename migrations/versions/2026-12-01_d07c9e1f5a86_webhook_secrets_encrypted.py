"""Webhook signing secrets encrypted at rest

Revision ID: d07c9e1f5a86
Revises: cf6b8dae4c75
Create Date: 2026-12-01 03:00:00.000000+00:00

``webhook_secrets.secret`` (the secret in clear) becomes ``sealed_secret`` (TEXT: a Fernet
token is longer than the secret), sealed by ``chapters.secretbox`` with the keys the API and
the worker use: the one derived from the service's signing key (CHAPTERS_JWT_PRIVATE_KEY_FILE)
and those of CHAPTERS_SECRET_KEYS. The new name keeps any code from taking it for the secret.

The secrets already there are sealed here, in every tenant, rather than
- sealed when the worker first reads them: the secrets of endpoints without deliveries would
  stay in clear for good, and the worker would write where it only reads;
- or expired: every receiver would reject deliveries until an admin rotated the secret and
  handed the new one over.
Sealing needs the service's keys, so this revision reads the settings the service reads
(``get_settings()``, or the ``settings`` attribute of the Alembic config when a caller passes
one). It never creates a key file: secrets sealed under a fresh key no replica has would be
lost. With rows to seal and no key file it stops and says so: run it where the service's key
file is. A database without webhook secrets (a new one, ``alembic check``) needs no key.

The old values are gone from what the database serves (queries, ``pg_dump``); the dead row
versions on disk go with the next vacuum. Downgrading opens the secrets again with the same keys
(a value no key opens stops it).
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from chapters.auth.keys import load_or_create_signing_keys, secret_material
from chapters.secretbox import SecretBox
from chapters.settings import Settings, get_settings

revision: str = "d07c9e1f5a86"
down_revision: str | Sequence[str] | None = "cf6b8dae4c75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow adding-not-nullable-field -- shipped before migrations were linted; databases that ran it keep what it did
# squawk: allow ban-drop-column -- the plain-text secrets were removed on purpose (sealed at rest); shipped before migrations were linted; databases that ran it keep what it did

TABLE = "webhook_secrets"


def _settings() -> Settings:
    settings = op.get_context().config.attributes.get("settings")
    return settings if settings is not None else get_settings()


def _secret_box() -> SecretBox:
    settings = _settings()
    key_file = settings.jwt_private_key_file
    if not key_file.exists():
        raise RuntimeError(
            f"{TABLE} holds secrets to seal, but the service's signing key ({key_file}) is not"
            " here: run this migration where the service's key file (and CHAPTERS_SECRET_KEYS,"
            " if set) is"
        )
    keys = load_or_create_signing_keys(key_file)  # it exists: only read
    return SecretBox(secret_material(keys), settings.secret_keys)


def _convert(source: str, target: str, convert: Callable[[SecretBox, str], str]) -> None:
    """Fill ``target`` from ``source`` in every tenant's rows (row-level security lifted for
    the owner while it runs, in this revision's transaction)."""
    connection = op.get_bind()
    op.execute(f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY")
    rows = connection.execute(sa.text(f"SELECT tenant_id, id, {source} FROM {TABLE}")).all()
    if rows:
        box = _secret_box()
        update = sa.text(f"UPDATE {TABLE} SET {target} = :value WHERE tenant_id = :t AND id = :id")
        connection.execute(
            update, [{"t": t, "id": id_, "value": convert(box, value)} for t, id_, value in rows]
        )
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("sealed_secret", sa.Text(), nullable=True))
    _convert("secret", "sealed_secret", SecretBox.seal)
    op.alter_column(TABLE, "sealed_secret", nullable=False)
    op.drop_column(TABLE, "secret")


def downgrade() -> None:
    op.add_column(TABLE, sa.Column("secret", sa.String(length=100), nullable=True))
    _convert("sealed_secret", "secret", SecretBox.unseal)
    op.alter_column(TABLE, "secret", nullable=False)
    op.drop_column(TABLE, "sealed_secret")
