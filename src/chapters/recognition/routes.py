"""The public side of certificates: verification and downloads, with no sign-in.

``GET /verify/{id}`` is a page (the holder's name, the title, what for, the date, the
community, VALID or REVOKED with the reason, and the re-issue chain); ``GET /verify/{id}.json``
returns the same with the signed claims and the JWS, to check offline against
``/.well-known/jwks.json``. The id is global: the tenant is found from it.
``GET /t/{tenant}/certificates/{id}.pdf`` and ``.png`` render the certificate (a revoked one
marked REVOKED). An unknown id is a plain 404.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

from litestar import Request, Response, get
from litestar.enums import MediaType
from litestar.status_codes import HTTP_404_NOT_FOUND

from chapters.api.context import Context
from chapters.db.session import open_tenant_session
from chapters.models.recognition import CertificateStatus
from chapters.recognition import queries, render
from chapters.recognition.signing import download_path

JSON_SUFFIX = ".json"
RENDERERS = {
    "pdf": (render.render_pdf, "application/pdf"),
    "png": (render.render_png, "image/png"),
}
_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Certificate {public_id}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}
.status{{font-size:1.5rem;font-weight:bold;padding:.5rem 1rem;display:inline-block}}
.valid{{color:#0a6b2b;border:2px solid #0a6b2b}}.revoked{{color:#b00020;border:2px solid #b00020}}
dt{{color:#555;margin-top:.8rem}}dd{{margin:0;font-size:1.1rem}}
pre{{white-space:pre-wrap;word-break:break-all;font-size:.75rem}}</style></head>
<body><h1>Certificate verification</h1>
<p class="status {status_class}">{status}</p>{revoked}
<dl><dt>Holder</dt><dd>{holder}</dd><dt>Title</dt><dd>{title}</dd>
<dt>For</dt><dd>{what_for}</dd><dt>Date</dt><dd>{issued_on}</dd>
<dt>Issued by</dt><dd>{community}</dd>{signatories}</dl>{chain}
<p><a href="{pdf}">PDF</a> · <a href="{png}">PNG</a> · <a href="{json}">JSON (signed)</a></p>
<details><summary>Signature (ES256, key {kid} in /.well-known/jwks.json)</summary>
<pre>{jws}</pre></details></body></html>"""


def _not_found() -> Response[Any]:
    return Response(
        "No such certificate", status_code=HTTP_404_NOT_FOUND, media_type=MediaType.TEXT
    )


async def _verification(request: Request, public_id: str) -> queries.Verification | None:
    runtime = request.app.state.runtime
    tenant_id = await queries.certificate_tenant(runtime.engine, public_id)
    if tenant_id is None:
        return None
    async with open_tenant_session(runtime.sessionmaker, tenant_id) as session, session.begin():
        return await queries.verification(session, public_id)


def _links(public_url: str, found: queries.Verification) -> dict[str, str]:
    public_id = found.certificate.public_id
    return {
        "verify": f"{public_url}/verify/{public_id}",
        "json": f"{public_url}/verify/{public_id}{JSON_SUFFIX}",
        "pdf": public_url + download_path(found.tenant_slug, public_id, "pdf"),
        "png": public_url + download_path(found.tenant_slug, public_id, "png"),
        "jwks": f"{public_url}/.well-known/jwks.json",
    }


def _as_json(public_url: str, found: queries.Verification) -> dict[str, Any]:
    c = found.certificate
    return {
        "id": c.public_id,
        "status": c.status.value.upper(),
        "valid": c.status == CertificateStatus.VALID,
        "revokedAt": c.revoked_at.isoformat() if c.revoked_at else None,
        "revokedReason": c.revoked_reason,
        "previous": found.previous_public_id,
        "supersededBy": found.superseded_by_public_id,
        "claims": c.claims,
        "jws": c.jws,
        "kid": c.kid,
        "links": _links(public_url, found),
    }


def _chain(public_url: str, found: queries.Verification) -> str:
    parts = []
    if found.superseded_by_public_id:
        link = html.escape(f"{public_url}/verify/{found.superseded_by_public_id}")
        parts.append(f'<p>Re-issued as <a href="{link}">{link}</a></p>')
    if found.previous_public_id:
        link = html.escape(f"{public_url}/verify/{found.previous_public_id}")
        parts.append(f'<p>Replaces <a href="{link}">{link}</a></p>')
    return "".join(parts)


def _as_page(public_url: str, found: queries.Verification) -> str:
    c = found.certificate
    valid = c.status == CertificateStatus.VALID
    revoked = ""
    if not valid:
        when = c.revoked_at.date().isoformat() if c.revoked_at else ""
        revoked = f"<p>Revoked {html.escape(when)}: {html.escape(c.revoked_reason or '')}</p>"
    signatories = ""
    if c.signatories:
        names = ", ".join(html.escape(name) for name in c.signatories)
        signatories = f"<dt>Signed by</dt><dd>{names}</dd>"
    links = {k: html.escape(v) for k, v in _links(public_url, found).items()}
    return _PAGE.format(
        public_id=html.escape(c.public_id),
        status="VALID" if valid else "REVOKED",
        status_class="valid" if valid else "revoked",
        revoked=revoked,
        holder=html.escape(c.holder_name),
        title=html.escape(c.title),
        what_for=html.escape(c.what_for),
        issued_on=c.issued_on.isoformat(),
        community=html.escape(c.issuer_name),
        signatories=signatories,
        chain=_chain(public_url, found),
        pdf=links["pdf"],
        png=links["png"],
        json=links["json"],
        kid=html.escape(c.kid),
        jws=html.escape(c.jws),
    )


@get("/verify/{name:str}")
async def verify(request: Request, name: str) -> Response[Any]:
    """A certificate's verification page, or (``{id}.json``) its signed record."""
    wants_json = name.endswith(JSON_SUFFIX)
    public_id = name.removesuffix(JSON_SUFFIX)
    found = await _verification(request, public_id)
    if found is None:
        return _not_found()
    public_url = request.app.state.runtime.settings.public_url
    if wants_json:
        return Response(_as_json(public_url, found), media_type=MediaType.JSON, headers=_HEADERS)
    return Response(
        _as_page(public_url, found),
        media_type=MediaType.HTML,
        headers={
            **_HEADERS,
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@get("/t/{tenant_slug:str}/certificates/{name:str}")
async def download(request: Request, context: Context, name: str) -> Response[Any]:
    """The certificate as ``{id}.pdf`` or ``{id}.png``, for anyone who has its id."""
    public_id, _, extension = name.rpartition(".")
    renderer = RENDERERS.get(extension)
    if renderer is None:
        return _not_found()
    found = await queries.verification(context.session, public_id)
    if found is None:
        return _not_found()
    make, media_type = renderer
    public_url = request.app.state.runtime.settings.public_url
    c = found.certificate
    sheet = render.Sheet(
        community=c.issuer_name,
        holder=c.holder_name,
        title=c.title,
        what_for=c.what_for,
        issued_on=c.issued_on.isoformat(),
        signatories=tuple(c.signatories),
        verification_url=f"{public_url}/verify/{c.public_id}",
        public_id=c.public_id,
        revoked_reason=None if c.status == CertificateStatus.VALID else c.revoked_reason,
        logo=found.logo,
    )
    body = await asyncio.to_thread(make, sheet)
    filename = f"certificate-{c.public_id}.{extension}"
    return Response(
        body,
        media_type=media_type,
        headers={**_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'},
    )


PUBLIC_ROUTES: list[Any] = [verify]
TENANT_ROUTES: list[Any] = [download]
