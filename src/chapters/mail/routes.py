"""``/t/{tenant}/mail/unsubscribe?token=…``: the unsubscribe link of non-essential mail.

``POST`` unsubscribes at once, with no sign-in: mail clients send it for the
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` header (RFC 8058). ``GET`` (a person
following the link in the mail) only shows a page with a button that posts, so a link
scanner that fetches every URL in a message unsubscribes nobody.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.enums import MediaType
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST
from markupsafe import Markup

from chapters.api.context import Context
from chapters.mail.service import ALL_KINDS, read_unsubscribe_token, unsubscribe

_PAGE = Markup("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto; padding: 0 1em; line-height: 1.5;">
<h1 style="font-size: 1.3em;">{title}</h1>
{body}
</body></html>
""")

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: Markup, status: int = HTTP_200_OK) -> Response[Any]:
    html = _PAGE.format(title=title, body=body)
    return Response(
        content=str(html), media_type=MediaType.HTML, status_code=status, headers=_HEADERS
    )


def _invalid() -> Response[Any]:
    return _page(
        "Link not valid",
        Markup("<p>This unsubscribe link is not valid. 此退订链接无效。</p>"),
        HTTP_400_BAD_REQUEST,
    )


def _what(kind: str) -> str:
    return "all optional mail" if kind == ALL_KINDS else f"“{kind.replace('_', ' ')}” mail"


class UnsubscribeController(Controller):
    path = "/t/{tenant_slug:str}/mail/unsubscribe"

    @get("/")
    async def confirm_page(self, context: Context, token: str = "") -> Response[Any]:
        found = read_unsubscribe_token(context.tenant.slug, token)
        if found is None:
            return _invalid()
        email, kind = found
        body = Markup(
            "<p>Stop sending {what} to <strong>{email}</strong>?<br>不再向 {email} 发送此类邮件?</p>"
            '<form method="post">'
            '<button type="submit" style="font-size: 1em; padding: 0.4em 1em;">'
            "Unsubscribe / 退订</button></form>"
        ).format(what=_what(kind), email=email)
        return _page("Unsubscribe", body)

    @post("/", status_code=HTTP_200_OK)
    async def unsubscribe(self, context: Context, token: str = "") -> Response[Any]:
        found = read_unsubscribe_token(context.tenant.slug, token)
        if found is None:
            return _invalid()
        email, kind = found
        await unsubscribe(context.session, email, kind)
        body = Markup("<p>{email} will receive no more {what}.<br>已退订。</p>").format(
            email=email, what=_what(kind)
        )
        return _page("Unsubscribed", body)


ROUTES: list[Any] = [UnsubscribeController]
