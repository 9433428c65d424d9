"""Prometheus metrics (to be filled in)."""

from __future__ import annotations

from chapters.observability.record import RequestRecord


def observe_request(record: RequestRecord) -> None:
    """Count the answered request (placeholder)."""
