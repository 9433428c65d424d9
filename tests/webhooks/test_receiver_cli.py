"""``chapters webhook-receiver``: the development receiver verifies signatures and logs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx

from chapters.webhooks.delivery import body_of, signed_headers
from chapters.webhooks.service import new_secret


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the receiver did not start")


def test_the_receiver_command_verifies_and_logs_deliveries(tmp_path, cli_env):
    secret, port, log = new_secret(), _free_port(), tmp_path / "webhooks.log"
    command = ["webhook-receiver", "--port", str(port), "--secret", secret, "--log", str(log)]
    process = subprocess.Popen(
        [sys.executable, "-m", "chapters.cli", *command],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(port)
        payload = {"type": "activity.accepted", "timestamp": "2026-12-01T00:00:00+00:00"}
        body = body_of({**payload, "data": {"activity_id": "QWN0aXZpdHk6MQ=="}})
        headers = signed_headers([new_secret(), secret], "msg_1", datetime.now(UTC), body)
        url = f"http://127.0.0.1:{port}/hook"
        assert httpx.post(url, content=body, headers=headers).status_code == 204
        forged = signed_headers([new_secret()], "msg_2", datetime.now(UTC), body)
        assert httpx.post(url, content=body, headers=forged).status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["webhook_id"], e["verified"]) for e in entries] == [
        ("msg_1", True),
        ("msg_2", False),
    ]
    assert entries[0]["payload"]["data"] == {"activity_id": "QWN0aXZpdHk6MQ=="}
    assert "msg_1 activity.accepted verified" in output
    assert "msg_2 activity.accepted NOT VERIFIED" in output
