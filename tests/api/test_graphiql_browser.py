"""GraphiQL in a real browser: headless Chromium loads the page from the running service
(uvicorn on 127.0.0.1), with every request to anywhere else blocked, takes a bearer token
from the URL's fragment, runs `{ viewer { email } }` and shows the answer.

Needs the Debian ``chromium`` package (``/usr/bin/chromium``; ``.ci/run`` installs it). Without
it the test is skipped with a reason on a developer's machine and fails in CI (``CI=true``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from chapters.app import create_app
from tests.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    require_chromium,
    serving_on,
)

RESPONSE_TEXT = (
    "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
)
SET_QUERY = (
    "q => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)"
)


async def test_graphiql_runs_a_query_with_a_pasted_token_without_leaving_the_host(
    settings, urls, keys, tenants
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    tenant = await tenants.create(people={"lead@x.example": None})
    port = free_port()
    app = create_app(settings, app_url=urls.app, keys=keys)
    elsewhere: list[str] = []

    async def only_this_host(route) -> None:
        if urlsplit(route.request.url).netloc == f"127.0.0.1:{port}":
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    with serving_on(app, port) as base:
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
