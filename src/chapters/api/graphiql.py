"""GraphiQL served from the service itself (development only, ``CHAPTERS_GRAPHIQL``): our page
with a bearer-token field, and the vendored GraphiQL and React builds it loads
(``static/graphiql/``, see its ``VENDORED.md``). Nothing is fetched from elsewhere: the page's
Content-Security-Policy allows this origin only."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from litestar import MediaType, Request, Response, get
from litestar.exceptions import NotFoundException

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "graphiql"
GRAPHIQL_ASSETS_PATH = "/graphiql"
ASSETS = {
    "graphiql.min.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
    "page.js": "text/javascript",
    "page.css": "text/css",
}
# GraphiQL sets inline styles; scripts come from this origin only, requests go to it only.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@cache
def _file(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def graphiql_page(request: Request) -> Response:
    """The page for the tenant of the request's path."""
    tenant = html.escape(str(request.path_params.get("tenant_slug", "")))
    page = (
        _file("page.html")
        .decode()
        .replace("{{assets}}", GRAPHIQL_ASSETS_PATH)
        .replace("{{tenant}}", tenant)
    )
    return Response(
        page,
        media_type=MediaType.HTML,
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


@get(f"{GRAPHIQL_ASSETS_PATH}/{{name:str}}", include_in_schema=False)
async def graphiql_assets(name: str) -> Response[bytes]:
    """One vendored file of the page (immutable for a given release: cached for a day)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFoundException(detail="No such GraphiQL file")
    return Response(
        _file(name),
        media_type=f"{media_type}; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )
