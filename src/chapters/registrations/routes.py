"""The pages a registrant reaches from their mail: confirm the email, cancel.

``GET /t/{tenant}/registrations/confirm?token=…`` (and ``…/cancel``) shows a tiny page with
one button; only its ``POST`` changes anything, so a mail scanner that follows links
confirms or cancels nothing. The token is the whole authorization (``links.py``); the
``registrationConfirm`` / ``registrationCancel`` mutations take the same tokens.
"""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, Response, get, post
from litestar.enums import MediaType
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from chapters.api.context import Context
from chapters.api.downloads import json_error, refused, token_needed
from chapters.api.ids import decode_id
from chapters.audit.recorder import audited
from chapters.errors import DomainError, Forbidden, InvalidInput, NotFound
from chapters.exports.routes import export_response
from chapters.exports.service import UnknownExport
from chapters.models import RegistrationStatus
from chapters.registrations import export as registrant_export
from chapters.registrations import links, service

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.5rem 1rem}}</style></head>
<body><h1>{title}</h1><p>{text}</p>{form}</body></html>"""

_FORM = """<form method="post" action="{action}">
<input type="hidden" name="token" value="{token}"><button type="submit">{button}</button></form>"""

_DONE = {
    RegistrationStatus.CONFIRMED: "You have a seat. Show your check-in code {code} at the door.",
    RegistrationStatus.WAITLISTED: "The activity is full: you are on the waitlist, and we will "
    "write to you if a seat frees up. Your check-in code is {code}.",
    RegistrationStatus.CANCELLED: "Your registration is cancelled.",
    RegistrationStatus.PENDING: "Your registration waits for its confirmation.",
}

_ACTIONS = {
    links.CONFIRM_PATH: (
        "Confirm your registration",
        "Confirm",
        "Confirm your email address to complete your registration.",
    ),
    links.CANCEL_PATH: (
        "Cancel your registration",
        "Cancel my registration",
        "Cancel your registration? Your seat goes to the next person on the waitlist.",
    ),
}


def _page(title: str, text: str, form: str = "", status: int = HTTP_200_OK) -> Response[Any]:
    body = _PAGE.format(title=html.escape(title), text=html.escape(text), form=form)
    return Response(
        body,
        status_code=status,
        media_type=MediaType.HTML,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
        },
    )


def _ask(request: Request, path: str) -> Response[Any]:
    title, button, text = _ACTIONS[path]
    token = request.query_params.get("token") or ""
    form = _FORM.format(
        action=html.escape(request.url.path), token=html.escape(token), button=html.escape(button)
    )
    return _page(title, text, form)


async def _act(request: Request, context: Context, path: str) -> Response[Any]:
    form = await request.form()
    token = str(form.get("token") or "")
    title = _ACTIONS[path][0]
    slug = context.tenant.slug
    action = "registrationConfirm" if path == links.CONFIRM_PATH else "registrationCancel"
    try:
        with audited(context.session, action=action, actor_id=None, request_id=context.request_id):
            if path == links.CONFIRM_PATH:
                registration = await service.confirm(context.session, slug, token)
            else:
                registration = await service.cancel_by_link(context.session, slug, token)
            await context.session.flush()
    except DomainError as error:
        context.rollback_only = True
        return _page(title, str(error), status=HTTP_400_BAD_REQUEST)
    return _page(title, _DONE[registration.status].format(code=registration.code))


@get("/t/{tenant_slug:str}/registrations/confirm", media_type=MediaType.HTML)
async def confirm_page(request: Request, context: Context) -> Response[Any]:
    return _ask(request, links.CONFIRM_PATH)


@post("/t/{tenant_slug:str}/registrations/confirm", media_type=MediaType.HTML)
async def confirm(request: Request, context: Context) -> Response[Any]:
    return await _act(request, context, links.CONFIRM_PATH)


@get("/t/{tenant_slug:str}/registrations/cancel", media_type=MediaType.HTML)
async def cancel_page(request: Request, context: Context) -> Response[Any]:
    return _ask(request, links.CANCEL_PATH)


@post("/t/{tenant_slug:str}/registrations/cancel", media_type=MediaType.HTML)
async def cancel(request: Request, context: Context) -> Response[Any]:
    return await _act(request, context, links.CANCEL_PATH)


ROUTES: list[Any] = [confirm_page, confirm, cancel_page, cancel]


@get("/t/{tenant_slug:str}/activities/{activity_id:str}/{name:str}")
async def registrants_export(
    request: Request, context: Context, activity_id: str, name: str
) -> Response[Any]:
    """An activity's registrants, ``registrants.csv`` or ``registrants.xlsx``, for its
    organisers and staff (errors as JSON, like ``/exports``)."""
    stem, _, format_name = name.rpartition(".")
    if stem != "registrants":
        return json_error(HTTP_404_NOT_FOUND, "Only registrants.csv and registrants.xlsx here")
    if context.principal is None:
        return token_needed("exports")
    try:
        decoded = decode_id(activity_id, "Activity", "activity")
        export = await registrant_export.prepare(
            context.session, context.principal, context.tenant.id, decoded, format_name
        )
    except UnknownExport as error:
        return json_error(HTTP_404_NOT_FOUND, str(error), known=error.known)
    except NotFound as error:
        return json_error(HTTP_404_NOT_FOUND, str(error))
    except (Forbidden, InvalidInput) as error:
        return refused(error)
    filename = f"{context.tenant.slug}-registrants.{export.format.value}"
    return export_response(request, context, context.principal, export, filename)


ROUTES.append(registrants_export)
