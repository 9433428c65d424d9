"""The whole suite's logs, scanned for what must never be logged.

Every test process renders its logs as the service does (JSON lines, ``configure_logging``)
into a file of one directory, and remembers every secret it generated (``secrets`` is
wrapped: client secrets, feed tokens, confirmation links, public ids...). When its session
ends it looks for those secrets in its own file; the controller then scans every file for
e-mail addresses, tokens and passwords, and fails the run if anything is found: the suite
sends what users send (sign-ins, tokens, addresses, bad input), so its logs are what an
operator's would be.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from chapters.observability.logs import configure_logging

LOG_DIR = "CHAPTERS_TEST_LOG_DIR"
# Fewer request lines than this in the whole run: the logs were not captured, so the scan
# would prove nothing.
MIN_REQUEST_LINES = 1000
MIN_SECRET_LENGTH = 16
FULL_RUN_TESTS = 1000  # a run this large has sent many requests

# What no log line may hold, whoever's it is.
FORBIDDEN = {
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"),
    "JSON Web Token": re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+"),
    "bearer credentials": re.compile(r"(?i)bearer\s+(?!\[token\])[\w.~+/=-]{8,}"),
    "webhook secret": re.compile(r"whsec_[A-Za-z0-9+/=]{16,}"),
    "password in a URL": re.compile(r"://[^:/@\s\"]+:(?!\[secret\])[^@\s\"]+@"),
}


@dataclass(frozen=True)
class Leak:
    file: str
    line: int
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what} in {self.text[:300]}"


def leaks_in(lines: Iterable[str], file: str, known_secrets: Iterable[str] = ()) -> list[Leak]:
    """What ``lines`` hold that no log may: the ``FORBIDDEN`` patterns and ``known_secrets``."""
    wanted = [s for s in known_secrets if len(s) >= MIN_SECRET_LENGTH]
    found = []
    for number, line in enumerate(lines, 1):
        for what, pattern in FORBIDDEN.items():
            if pattern.search(line):
                found.append(Leak(file, number, what, line))
        found.extend(Leak(file, number, "a generated secret", line) for s in wanted if s in line)
    return found


class _SecretsSeen:
    """The values ``secrets`` generated in this process (its functions wrapped)."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def wrap(self, generate: Callable[..., str]) -> Callable[..., str]:
        def recorded(*args: object) -> str:
            value = generate(*args)
            self.values.add(value)
            return value

        return recorded


_seen = _SecretsSeen()


def _log_dir(config: pytest.Config) -> Path:
    if LOG_DIR not in os.environ:  # the controller (or the only process): the workers inherit
        os.environ[LOG_DIR] = tempfile.mkdtemp(prefix="chapters-test-logs-")
    return Path(os.environ[LOG_DIR])


def _worker(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


def pytest_configure(config: pytest.Config) -> None:
    path = _log_dir(config) / f"{_worker(config)}.jsonl"
    config.stash[_handler_key] = configure_logging("json", "INFO", stream=path.open("a"))
    secrets.token_urlsafe = _seen.wrap(secrets.token_urlsafe)  # type: ignore[assignment]
    secrets.token_hex = _seen.wrap(secrets.token_hex)  # type: ignore[assignment]


_handler_key = pytest.StashKey[logging.Handler]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    handler = config.stash.get(_handler_key, None)
    if handler is not None:
        handler.flush()
    directory = Path(os.environ[LOG_DIR])
    worker = _worker(config)
    own = directory / f"{worker}.jsonl"
    if own.exists():
        with own.open() as lines:
            found = leaks_in(lines, own.name, _seen.values)
        (directory / f"{worker}.leaks").write_text("\n".join(map(str, found)))
    if worker == "main":  # the controller (or the only process) judges every process's file
        _judge(session, directory)


def _judge(session: pytest.Session, directory: Path) -> None:
    found: list[str] = []
    request_lines = 0
    for path in sorted(directory.glob("*.jsonl")):
        with path.open() as lines:
            for line in lines:
                request_lines += _is_request_line(line)
        found.extend(
            leak for leak in (directory / f"{path.stem}.leaks").read_text().splitlines() if leak
        )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if request_lines < MIN_REQUEST_LINES and session.testscollected >= FULL_RUN_TESTS:
        found.append(f"only {request_lines} request lines were logged: the scan saw nothing")
    if found:
        if reporter is not None:
            reporter.write_sep("=", "log scan: what must never be logged was", red=True)
            for leak in found[:50]:
                reporter.write_line(leak)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter is not None:
        reporter.write_line(
            f"log scan: {request_lines} request lines and every other log line of the run"
            " hold no e-mail address, token, password or generated secret"
        )


def _is_request_line(line: str) -> bool:
    if '"event":"request"' not in line:
        return False
    return json.loads(line).get("logger") == "chapters.request"
