"""The ``incentives`` export kind: every reward of the ledger, one row each, for the tenant's
readers (``/t/{tenant}/exports/incentives.csv`` or ``.xlsx``). ``from`` / ``to`` keep the
rewards of the quarters those days fall in and between; ``chapter`` the rewards for the
chapter's contributions; ``status`` the rewards in those statuses."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, cast, func, select
from sqlalchemy.orm import aliased

from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.exports.kinds import FILTER_NAMES, ExportFilters, ExportKind, register
from chapters.exports.kinds import _global_id as global_id_in_sql
from chapters.incentives.money import quarter_of
from chapters.models import Activity, Chapter, MentoringProject, Person
from chapters.models.incentive import IncentiveProgram, IncentiveReward, RewardStatus

COLUMNS = [
    "id",
    "quarter",
    "program",
    "person",
    "kind",
    "status",
    "description",
    "amount",
    "value",
    "currency",
    "contribution_kind",
    "contribution",
    "chapter",
    "proposed_by",
    "promised_at",
    "updated_at",
    "cancel_reason",
]


def _money(cents: Any) -> ColumnElement[Any]:
    """Cents as a decimal with two places."""
    return func.round(cast(cents, Numeric) / 100, 2)


def incentive_query(
    principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters
) -> Any:
    reward = IncentiveReward
    proposer = aliased(Person)
    conditions: list[ColumnElement[bool]] = []
    if filters.from_day is not None:
        conditions.append(reward.quarter >= quarter_of(filters.from_day))
    if filters.to_day is not None:
        conditions.append(reward.quarter <= quarter_of(filters.to_day))
    if filters.chapter_id is not None:
        conditions.append(reward.chapter_id == filters.chapter_id)
    if filters.statuses:
        conditions.append(reward.status.in_(filters.statuses))

    def same_tenant(model: Any, column: Any) -> ColumnElement[bool]:
        return and_(model.tenant_id == reward.tenant_id, model.id == column)

    return (
        select(
            global_id_in_sql("IncentiveReward", reward.id),  # the id the API shows
            reward.quarter,
            IncentiveProgram.name,
            Person.display_name,
            reward.kind,
            reward.status,
            reward.description,
            _money(reward.amount_cents),
            _money(reward.value_cents),
            reward.currency,
            reward.contribution_kind,
            func.coalesce(Activity.title, MentoringProject.title),
            Chapter.slug,
            proposer.display_name,
            reward.created_at,
            reward.updated_at,
            reward.cancel_reason,
        )
        .join(IncentiveProgram, same_tenant(IncentiveProgram, reward.program_id))
        .join(Person, same_tenant(Person, reward.person_id))
        .outerjoin(Activity, same_tenant(Activity, reward.activity_id))
        .outerjoin(MentoringProject, same_tenant(MentoringProject, reward.mentoring_project_id))
        .outerjoin(Chapter, same_tenant(Chapter, reward.chapter_id))
        .outerjoin(proposer, same_tenant(proposer, reward.proposed_by_id))
        .where(*conditions)
        .order_by(reward.quarter, IncentiveProgram.name, reward.created_at, reward.id)
    )


register(
    ExportKind(
        name="incentives",
        columns=COLUMNS,
        query=incentive_query,
        accepts=frozenset(FILTER_NAMES),
        statuses=tuple(status.value for status in RewardStatus),
        requires=(Action.INCENTIVE_READ,),
    )
)
