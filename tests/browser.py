"""Driving the system's Chromium in tests: the app served under uvicorn on 127.0.0.1, in a
thread with its own event loop, and the browser's executable and flags.

Needs the Debian ``chromium`` package (``/usr/bin/chromium``; ``.ci/run`` installs it). Without
it a browser test is skipped with a reason on a developer's machine and fails in CI
(``CI=true``)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

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
    f"Browser tests: no Chromium at {CHROMIUM}. Install it "
    "(`apt-get install -y chromium`) or set CHAPTERS_CHROMIUM to its path."
)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING_CHROMIUM)
    pytest.skip(MISSING_CHROMIUM)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_on(app, port: int) -> Iterator[str]:
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
