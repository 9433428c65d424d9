"""OpenTelemetry traces (to be filled in)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from litestar.types import Scope
from structlog.typing import EventDict

from chapters.observability.record import RequestRecord


def request_span(scope: Scope, record: RequestRecord) -> AbstractContextManager[Any]:
    """The request's span (placeholder: none)."""
    return nullcontext()


def add_trace_context(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the current trace and span ids (placeholder: none)."""
    return event_dict
