"""``GET /t/{tenant}/reports/quarterly?quarter=2026-Q3``: the quarterly report, one HTML page
for the bearer of the token (``insight.service.quarterly_report`` says who may read it; the
quarter defaults to the current one, in UTC).

The page loads nothing: its policy forbids every load but its own inline styles and data
images, so a name that slipped through escaping still could not fetch or run anything.
Errors are JSON, as on every route: 401 without a token, 403 for a caller who may not read
the report, 400 for a quarter that is not one (``2026-Q3``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
from litestar import Controller, MediaType, Response, get

from chapters.api.context import Context
from chapters.api.downloads import refused, token_needed
from chapters.errors import Forbidden, InvalidInput
from chapters.insight import periods, service
from chapters.insight.report import render_quarterly_report

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",  # names of people, for the caller only
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class QuarterlyReportController(Controller):
    path = "/t/{tenant_slug:str}/reports"

    @get("/quarterly", media_type=MediaType.HTML)
    async def quarterly(self, context: Context, quarter: str | None = None) -> Response[Any]:
        if context.principal is None:
            return token_needed("the quarterly report")
        label = periods.current_quarter(datetime.now(UTC).date()).label
        try:
            report = await service.quarterly_report(
                context.session,
                context.principal,
                context.tenant.id,
                label if quarter is None else quarter,
            )
        except Forbidden as error:
            return refused(error)
        except InvalidInput as error:
            return refused(error)
        # pygal draws in Python, tens of milliseconds: off the event loop
        page = await anyio.to_thread.run_sync(render_quarterly_report, report)
        return Response(
            page,
            media_type=MediaType.HTML,
            headers=dict(PAGE_HEADERS),
        )
