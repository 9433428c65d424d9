"""This domain's jobs (registered on the queue's blueprint with ``tenant_task``)."""

from __future__ import annotations
