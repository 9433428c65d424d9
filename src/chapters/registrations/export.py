"""An activity's registrants as CSV or XLSX, for its organisers (``REGISTRATION_EXPORT`` on
the activity): the ``registrants`` export kind narrowed to one activity, written and audited
by the exports machinery like every export."""

from __future__ import annotations

import uuid
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities import service as activities
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.exports.kinds import REGISTRANT_COLUMNS, ExportFilters, ExportKind, registrants_query
from chapters.exports.service import PreparedExport, export_format


async def prepare(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    activity_id: uuid.UUID,
    format_name: str,
) -> PreparedExport:
    activity = await activities.get_activity(session, principal, activity_id, "activity")
    await activities.require_on(session, principal, Action.REGISTRATION_EXPORT, activity)
    kind = ExportKind(
        name="registrants",
        columns=REGISTRANT_COLUMNS,
        query=partial(registrants_query, activity_id=activity.id),
    )
    return PreparedExport(
        tenant_id=tenant_id,
        kind=kind,
        format=export_format(format_name),
        filters=ExportFilters(),
        columns=list(range(len(REGISTRANT_COLUMNS))),
    )
