"""The record of one HTTP request, filled in as it is answered and observed once at its end.

The middleware (``observability.middleware``) opens the record; the GraphQL layers name the
tenant and the operation (``current()``), every SQL statement counts itself, and at the end
the record becomes a log line, metrics and the attributes of the request's span. A context
variable holds it: the tasks GraphQL starts for its fields see the same record.
"""

from __future__ import annotations

import itertools
import os
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from chapters.db import read_pool

# Each outcome is a label value: a small, fixed set.
OK = "ok"  # answered, no errors
GRAPHQL_ERRORS = "graphql_errors"  # answered 200 with errors in the body (refusals, typed)
CLIENT_ERROR = "client_error"  # 4xx
SERVER_ERROR = "server_error"  # 5xx


@dataclass(slots=True)
class RequestRecord:
    method: str
    route: str  # the route's template (``/t/{tenant_slug:str}/graphql``): no ids, no tokens
    started: float = field(default_factory=time.perf_counter)
    request_id: str | None = None
    tenant: str | None = None
    operation: str | None = None
    operation_type: str | None = None
    graphql_errors: int = 0
    status: int = 0
    duration: float = 0.0
    statements: int = 0
    trace_id: str | None = None  # the request's trace (hex), while tracing is on

    @property
    def outcome(self) -> str:
        if self.status >= 500:
            return SERVER_ERROR
        if self.status >= 400:
            return CLIENT_ERROR
        return GRAPHQL_ERRORS if self.graphql_errors else OK

    def named(self, operation: str | None, operation_type: str) -> None:
        """The GraphQL operation this request runs (the first one named wins)."""
        if self.operation_type is None:
            self.operation, self.operation_type = operation, operation_type


_current: ContextVar[RequestRecord | None] = ContextVar("chapters_request", default=None)


def current() -> RequestRecord | None:
    """The record of the request being answered (None outside a request)."""
    return _current.get()


def opened(record: RequestRecord) -> Any:
    """Make ``record`` the current one (a token for ``closed``)."""
    return _current.set(record)


def closed(token: Any) -> None:
    _current.reset(token)


def new_request_id() -> str:
    """A request id unique across processes and restarts: this process's random prefix and a
    counter (a uuid4 per request costs a read of the system's randomness every time)."""
    return f"{_id_prefix}{next(_id_counter):016x}"


def _reset_ids() -> None:
    global _id_prefix, _id_counter
    _id_prefix, _id_counter = os.urandom(8).hex(), itertools.count(1)


_id_prefix, _id_counter = "", itertools.count(1)
_reset_ids()
os.register_at_fork(after_in_child=_reset_ids)


def count_statement(*_: Any) -> None:
    """One more SQL statement for the request being answered (any engine, any pool)."""
    record = _current.get()
    if record is not None:
        record.statements += 1


event.listen(Engine, "before_cursor_execute", count_statement)
read_pool.STATEMENT_LISTENERS.append(count_statement)
