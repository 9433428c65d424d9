"""A chapter's activities indexed in their order (starts_at, id)

Revision ID: 5b7e0c1d2a94
Revises: 32dda97c8435
Create Date: 2026-11-30 19:00:00.000000+00:00

A page of a chapter's activities, newest first, reads only its own rows: the tie-break on id
is in the index, so PostgreSQL no longer sorts every activity of the chapter.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b7e0c1d2a94"
down_revision: str | Sequence[str] | None = "32dda97c8435"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow require-concurrent-index-creation -- shipped before migrations were linted; databases that ran it keep what it did
# squawk: allow require-concurrent-index-deletion -- shipped before migrations were linted; databases that ran it keep what it did


def upgrade() -> None:
    op.drop_index("ix_activities_chapter_starts", table_name="activities")
    op.create_index(
        "ix_activities_chapter_starts",
        "activities",
        ["tenant_id", "chapter_id", "starts_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_activities_chapter_starts", table_name="activities")
    op.create_index(
        "ix_activities_chapter_starts", "activities", ["tenant_id", "chapter_id", "starts_at"]
    )
