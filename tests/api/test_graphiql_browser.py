"""GraphiQL in a real browser: headless Chromium loads the page from the running service
(uvicorn on 127.0.0.1), with every request to anywhere else blocked, takes a bearer token
from the URL's fragment, runs `{ viewer { email } }` and shows the answer.

Needs the Debian ``chromium`` package (``/usr/bin/chromium``; ``.ci/run`` installs it). Without
it the test is skipped with a reason on a developer's machine and fails in CI (``CI=true``)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from chapters.app import create_app

CHROMIUM = Path(os.environ.get("CHAPTERS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
MISSING_CHROMIUM = (
    f"GraphiQL browser test: no Chromium at {CHROMIUM}. Install it "
    "(`apt-get install -y chromium`) or set CHAPTERS_CHROMIUM to its path."
)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING_CHROMIUM)
    pytest.skip(MISSING_CHROMIUM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serving(app, port: int) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1:port, in a thread with its own event loop."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.05)
        else:
            raise RuntimeError("uvicorn did not start within 10 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


RESPONSE_TEXT = (
    "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
)
SET_QUERY = (
    "q => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)"
)


async def test_graphiql_runs_a_query_with_a_pasted_token_without_leaving_the_host(
    settings, urls, keys, tenants
) -> None:
    _require_chromium()
    from playwright.async_api import async_playwright, expect

    tenant = await tenants.create(people={"lead@x.example": None})
    port = _free_port()
    app = create_app(settings, app_url=urls.app, keys=keys)
    elsewhere: list[str] = []

    async def only_this_host(route) -> None:
        if urlsplit(route.request.url).netloc == f"127.0.0.1:{port}":
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    with _serving(app, port) as base:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                context = await browser.new_context(viewport={"width": 1280, "height": 720})
                await context.route("**/*", only_this_host)
                page = await context.new_page()
                console_errors: list[str] = []
                page.on(
                    "console",
                    lambda message: message.type == "error" and console_errors.append(message.text),
                )
                page_url = f"{base}/t/{tenant.slug}/graphql"
                await page.goto(f"{page_url}#token={tenant.token('lead@x.example')}")
                await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
                assert page.url == page_url, "the token must leave the address bar"
                assert await page.input_value("#chapters-token") == tenant.token("lead@x.example")

                await page.evaluate(SET_QUERY, "{ viewer { email } }")
                await page.click(".graphiql-execute-button")
                answer = page.locator(".graphiql-response")
                await expect(answer).to_contain_text("lead@x.example", timeout=30_000)
                assert '"email": "lead@x.example"' in await page.evaluate(RESPONSE_TEXT)
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / "graphiql.png"))

                # The token stays in this browser for the next visit (no fragment this time).
                await page.goto(page_url)
                await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
                assert await page.input_value("#chapters-token") == tenant.token("lead@x.example")
                assert console_errors == [], "the page logged errors (a blocked load?)"
            finally:
                await browser.close()
    assert elsewhere == [], f"the page tried to load from elsewhere: {elsewhere}"
