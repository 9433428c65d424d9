"""The quarterly report in a real browser: headless Chromium loads the page from the running
service (uvicorn on 127.0.0.1, every request elsewhere blocked) for the hand-written past of
``test_definitions``, plus a chapter and a person named like markup. Every chart is drawn,
every chapter's name is there as text, nothing ran and nothing was fetched; a full-page
screenshot goes to ``.artifacts/quarterly-report.png``.

Needs the Debian ``chromium`` package, as ``tests/api/test_graphiql_browser.py`` does: without
it the test is skipped with a reason on a developer's machine and fails in CI (``CI=true``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from chapters.app import create_app
from chapters.models import Chapter, ChapterStatus, TenantRole
from chapters.models import ParticipantRole as R
from tests.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    require_chromium,
    serving_on,
)
from tests.insight.conftest import story
from tests.insight.history import History, at, write_history

HOSTILE_CHAPTER = "<script>window.pwned = 1</script>Wuhan"
HOSTILE_PERSON = "<img src=/x onerror=pwned=2>"
CHARTS = [
    "Active members and churn per chapter",
    "Activities by kind per month",
    "Retention cohorts",
    "Recap compliance per chapter",
    "Top contributors",
]
# what the hostile names would have set, and the scripts in the page, SVG's included
WHAT_RAN = "() => [window.pwned, document.querySelectorAll('script').length]"


async def hostile_story(h: History) -> None:
    await story(h)
    await h.add(
        Chapter(
            name=HOSTILE_CHAPTER,
            slug="wuhan",
            timezone="UTC",
            status=ChapterStatus.ACTIVE,
            created_at=at("2024-01-01"),
        )
    )
    mallory = await h.person("mallory", public=True)
    mallory.display_name = HOSTILE_PERSON
    await h.member("mallory", "Hangzhou", "2025-01-01")
    await h.activity("Hangzhou", "2025-06-20", people={"mallory": R.SPEAKER, "dan": R.GUEST})


async def test_the_quarterly_report_draws_every_chart_and_loads_nothing_else(
    settings, urls, keys, tenants, owner_engine
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright, expect

    tenant = await tenants.create("report", {"ops@x.example": TenantRole.OPS})
    await write_history(owner_engine, tenant.id, hostile_story)
    token = tenant.token("ops@x.example")  # central ops: they may read the report
    port = free_port()
    app = create_app(settings, app_url=urls.app, keys=keys)
    elsewhere: list[str] = []
    requested: list[str] = []

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
                context = await browser.new_context(
                    viewport={"width": 1100, "height": 800},
                    extra_http_headers={"Authorization": f"Bearer {token}"},
                )
                await context.route("**/*", only_this_host)
                page = await context.new_page()
                console_errors: list[str] = []
                page.on(
                    "console",
                    lambda message: message.type == "error" and console_errors.append(message.text),
                )
                page.on("request", lambda request: requested.append(request.url))
                url = f"{base}/t/{tenant.slug}/reports/quarterly?quarter=2025-Q2"
                response = await page.goto(url)
                assert response is not None and response.status == 200
                assert await page.title() == f"Quarterly report 2025-Q2 · Tenant {tenant.slug}"

                charts = page.locator("figure svg")
                assert await charts.count() == len(CHARTS)
                for index, title in enumerate(CHARTS):
                    chart = charts.nth(index)
                    await expect(chart).to_be_visible()
                    box = await chart.bounding_box()
                    assert box is not None and box["width"] > 0 and box["height"] > 0, title
                    assert await chart.locator("title").first.text_content() == title
                    assert await chart.locator("rect, path, circle").count() > 0, title

                for name in ("Chengdu", "Hangzhou", HOSTILE_CHAPTER):
                    await expect(
                        page.get_by_role("rowheader", name=name, exact=True)
                    ).to_be_visible()
                await expect(page.locator("svg text", has_text=HOSTILE_PERSON)).to_be_visible()
                assert await page.evaluate(WHAT_RAN) == [None, 0]
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / "quarterly-report.png"), full_page=True)
                assert console_errors == [], "the page logged errors (a refused load?)"
            finally:
                await browser.close()
    assert elsewhere == [], f"the page tried to load from elsewhere: {elsewhere}"
    # the page itself, and at most the icon the browser asks for on its own
    assert {urlsplit(r).path for r in requested} <= {
        f"/t/{tenant.slug}/reports/quarterly",
        "/favicon.ico",
    }, requested
