"""``GET /t/{tenant}/exports/{kind}.{csv|xlsx}``: an export, streamed, for the bearer of the
token (``exports.service`` says who may export what).

Filters are query parameters: ``from`` and ``to`` (days, both included), ``chapter`` (a slug),
``status`` (comma-separated). Errors are JSON, as on every route: 401 without a token, 403
for a caller who may not export, 404 for an unknown kind or format (with the known ones),
400 for a bad filter.

The request's session (the ``context`` dependency) is closed once the response object is
built, before its body is sent: the body reads in a session of its own, bound to the
tenant, and commits the export's audit entry before the last chunk goes out. An export cut
short (the client went away, the database failed) is recorded too, as incomplete, with the
rows written so far.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import anyio
from litestar import Controller, Request, Response, get
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_404_NOT_FOUND,
)

from chapters.api.context import Context
from chapters.api.downloads import json_error, refused, token_needed
from chapters.auth.principal import Principal
from chapters.db.session import open_tenant_session
from chapters.errors import Forbidden, InvalidInput
from chapters.exports.formats import closing
from chapters.exports.service import (
    ExportRun,
    PreparedExport,
    UnknownExport,
    prepare_export,
    record_export,
)

log = logging.getLogger("chapters.exports")


class ExportController(Controller):
    path = "/t/{tenant_slug:str}/exports"

    @get("/{name:str}")
    async def export(self, request: Request, context: Context, name: str) -> Response[Any]:
        """One export: ``<kind>.csv`` or ``<kind>.xlsx``."""
        kind_name, _, format_name = name.rpartition(".")
        if context.principal is None:
            return token_needed("exports")
        filters = {key: request.query_params.getall(key) for key in request.query_params}
        try:
            export = await prepare_export(
                context.session,
                context.principal,
                context.tenant.id,
                kind_name or name,
                format_name if kind_name else "",
                filters,
            )
        except Forbidden as error:
            return refused(error)
        except UnknownExport as error:
            return json_error(HTTP_404_NOT_FOUND, str(error), known=error.known)
        except InvalidInput as error:
            return refused(error)
        day = datetime.now(UTC).date().isoformat()
        filename = f"{context.tenant.slug}-{export.kind.name}-{day}.{export.format.value}"
        return export_response(request, context, context.principal, export, filename)


def export_response(
    request: Request, context: Context, principal: Principal, export: PreparedExport, filename: str
) -> Stream:
    """A prepared export streamed as an attachment (read in a session of its own), for the
    caller ``principal`` the route has checked."""
    return Stream(
        _body(request, principal, export, context.request_id),
        media_type=export.format.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _body(
    request: Request, principal: Principal, export: PreparedExport, request_id: str
) -> AsyncIterator[bytes]:
    sessionmaker = request.app.state.runtime.sessionmaker
    session = open_tenant_session(sessionmaker, export.tenant_id)
    run = ExportRun(session, principal, export, request_id=request_id)
    complete = False
    try:
        held: bytes | None = None
        # One chunk behind: the last goes out only once the audit entry is committed.
        async with closing(run.chunks()) as written:
            async for chunk in written:
                if held is not None:
                    yield held
                held = chunk
        await session.commit()
        complete = True
        if held is not None:
            yield held
    finally:
        with anyio.CancelScope(shield=True):
            await session.close()  # rolls back what was not committed
        if not complete:
            await _record_cut_short(request, principal, export, run.rows, request_id)


async def _record_cut_short(
    request: Request, principal: Principal, export: PreparedExport, rows: int, request_id: str
) -> None:
    """Record an export that did not finish, in a transaction of its own (the export's may
    be the one that failed); shielded, as the request may be being cancelled."""
    sessionmaker = request.app.state.runtime.sessionmaker
    with anyio.CancelScope(shield=True):
        try:
            async with open_tenant_session(sessionmaker, export.tenant_id) as session:
                await record_export(session, principal, export, rows, False, request_id=request_id)
                await session.commit()
        except Exception:
            log.exception("could not record an export cut short (%s rows)", rows)
