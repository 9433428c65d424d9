"""The request deadline bounds how long an answer takes to start, not how long a streamed
download (an export of a million rows) takes to finish."""

from __future__ import annotations

import asyncio

import httpx
from litestar.exceptions import HTTPException

from chapters.app import _within_deadline


async def _slow_download(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for _ in range(3):
        await asyncio.sleep(0.2)
        await send({"type": "http.response.body", "body": b"row\n", "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _slow_start(scope, receive, send) -> None:
    await asyncio.sleep(1)
    await _slow_download(scope, receive, send)


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://127.0.0.1")


async def test_a_started_download_outlives_the_deadline() -> None:
    async with _client(_within_deadline(0.3)(_slow_download)) as client:
        response = await client.get("/")
    assert (response.status_code, response.content) == (200, b"row\n" * 3)


async def test_an_answer_that_does_not_start_in_time_is_refused() -> None:
    async with _client(_within_deadline(0.3)(_slow_start)) as client:
        try:
            await client.get("/")
        except HTTPException as refused:  # the app's handler turns it into a 503
            assert refused.status_code == 503
        else:
            raise AssertionError("the deadline did not apply")
