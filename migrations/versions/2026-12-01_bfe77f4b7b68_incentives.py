"""Incentives: rewards promised, approved, sent; budgets per quarter

Revision ID: bfe77f4b7b68
Revises: 2bb61ca5ff50
Create Date: 2026-12-01 04:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table

revision: str = "bfe77f4b7b68"
down_revision: str | Sequence[str] | None = "2bb61ca5ff50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incentive_programs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_currency", sa.String(length=3), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "default_currency ~ '^[A-Z]{3}$'", name=op.f("ck_incentive_programs_currency_code")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_incentive_programs_tenant_id_created_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_incentive_programs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_incentive_programs")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_incentive_programs_tenant_id_name")),
    )
    op.create_table(
        "incentive_budgets",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "currency ~ '^[A-Z]{3}$'", name=op.f("ck_incentive_budgets_currency_code")
        ),
        sa.CheckConstraint(
            "quarter ~ '^[0-9]{4}-Q[1-4]$'", name=op.f("ck_incentive_budgets_quarter_format")
        ),
        sa.CheckConstraint(
            "amount_cents >= 0", name=op.f("ck_incentive_budgets_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "program_id"],
            ["incentive_programs.tenant_id", "incentive_programs.id"],
            name=op.f("fk_incentive_budgets_tenant_id_program_id_incentive_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "set_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_incentive_budgets_tenant_id_set_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_incentive_budgets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_incentive_budgets")),
        sa.UniqueConstraint(
            "tenant_id",
            "program_id",
            "quarter",
            name=op.f("uq_incentive_budgets_tenant_id_program_id_quarter"),
        ),
    )
    op.create_table(
        "incentive_rewards",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "contribution_kind",
            sa.Enum(
                "activity",
                "talk",
                "article",
                "mentoring_project",
                name="contribution_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("mentoring_project_id", sa.Uuid(), nullable=True),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "swag",
                "fee",
                "special_reward",
                "ticket",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "promised",
                "approved",
                "sent",
                "paid",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("value_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("proposed_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)",
            name=op.f("ck_incentive_rewards_cancelled_with_reason"),
        ),
        sa.CheckConstraint(
            "currency IS NULL OR currency ~ '^[A-Z]{3}$'",
            name=op.f("ck_incentive_rewards_currency_code"),
        ),
        sa.CheckConstraint(
            "kind <> 'fee' OR amount_cents IS NOT NULL",
            name=op.f("ck_incentive_rewards_fee_is_money"),
        ),
        sa.CheckConstraint(
            "kind NOT IN ('swag', 'ticket') OR amount_cents IS NULL",
            name=op.f("ck_incentive_rewards_goods_are_not_money"),
        ),
        sa.CheckConstraint(
            "quarter ~ '^[0-9]{4}-Q[1-4]$'", name=op.f("ck_incentive_rewards_quarter_format")
        ),
        sa.CheckConstraint(
            "(activity_id IS NULL) <> (mentoring_project_id IS NULL)",
            name=op.f("ck_incentive_rewards_one_contribution"),
        ),
        sa.CheckConstraint(
            "(amount_cents IS NULL AND value_cents IS NULL) OR currency IS NOT NULL",
            name=op.f("ck_incentive_rewards_sum_has_a_currency"),
        ),
        sa.CheckConstraint(
            "amount_cents IS NULL OR amount_cents > 0",
            name=op.f("ck_incentive_rewards_amount_positive"),
        ),
        sa.CheckConstraint(
            "amount_cents IS NULL OR value_cents IS NULL",
            name=op.f("ck_incentive_rewards_money_or_goods"),
        ),
        sa.CheckConstraint(
            "value_cents IS NULL OR value_cents > 0",
            name=op.f("ck_incentive_rewards_value_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_incentive_rewards_tenant_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "chapter_id"],
            ["chapters.tenant_id", "chapters.id"],
            name=op.f("fk_incentive_rewards_tenant_id_chapter_id_chapters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "mentoring_project_id"],
            ["mentoring_projects.tenant_id", "mentoring_projects.id"],
            name=op.f("fk_incentive_rewards_tenant_id_mentoring_project_id_mentoring_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_incentive_rewards_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "program_id"],
            ["incentive_programs.tenant_id", "incentive_programs.id"],
            name=op.f("fk_incentive_rewards_tenant_id_program_id_incentive_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "proposed_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_incentive_rewards_tenant_id_proposed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_incentive_rewards_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_incentive_rewards")),
    )
    op.create_index(
        "ix_incentive_rewards_budget",
        "incentive_rewards",
        ["tenant_id", "program_id", "quarter", "status"],
        unique=False,
    )
    op.create_index(
        "ix_incentive_rewards_chapter",
        "incentive_rewards",
        ["tenant_id", "chapter_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_incentive_rewards_created",
        "incentive_rewards",
        ["tenant_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_incentive_rewards_person",
        "incentive_rewards",
        ["tenant_id", "person_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "incentive_reward_transitions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reward_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "promised",
                "approved",
                "sent",
                "paid",
                "cancelled",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "promised",
                "approved",
                "sent",
                "paid",
                "cancelled",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_incentive_reward_transitions_tenant_id_actor_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reward_id"],
            ["incentive_rewards.tenant_id", "incentive_rewards.id"],
            name=op.f("fk_incentive_reward_transitions_tenant_id_reward_id_incentive_rewards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_incentive_reward_transitions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_incentive_reward_transitions")),
    )
    op.create_index(
        "ix_incentive_reward_transitions_reward",
        "incentive_reward_transitions",
        ["tenant_id", "reward_id", "occurred_at"],
        unique=False,
    )
    isolate_tenant_table("incentive_programs")
    isolate_tenant_table("incentive_budgets")
    isolate_tenant_table("incentive_rewards")
    isolate_tenant_table("incentive_reward_transitions")


def downgrade() -> None:
    drop_tenant_isolation("incentive_reward_transitions")
    drop_tenant_isolation("incentive_rewards")
    drop_tenant_isolation("incentive_budgets")
    drop_tenant_isolation("incentive_programs")
    op.drop_index(
        "ix_incentive_reward_transitions_reward", table_name="incentive_reward_transitions"
    )
    op.drop_table("incentive_reward_transitions")
    op.drop_index("ix_incentive_rewards_person", table_name="incentive_rewards")
    op.drop_index("ix_incentive_rewards_created", table_name="incentive_rewards")
    op.drop_index("ix_incentive_rewards_chapter", table_name="incentive_rewards")
    op.drop_index("ix_incentive_rewards_budget", table_name="incentive_rewards")
    op.drop_table("incentive_rewards")
    op.drop_table("incentive_budgets")
    op.drop_table("incentive_programs")
