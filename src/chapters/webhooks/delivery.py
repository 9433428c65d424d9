"""Sending one attempt of a delivery: signed per Standard Webhooks, POSTed with a time limit,
2xx = delivered; every attempt recorded on the delivery (response code or error).

A failed attempt schedules the next one itself (``RETRY_DELAYS``) in the transaction that
records it, so the record and the retry commit together; after ``MAX_ATTEMPTS`` the delivery
is failed (an admin may send it again). Failed attempts in a row count on the endpoint; at
``webhook_failures_to_disable`` it is disabled, a success resets the count.

The request goes out through ``chapters.auth.outbound``: unless private networks are allowed,
the address is checked when the connection is opened and the connection goes to that address.

Secrets are stored sealed; one that no key of the service opens is left out of the signature
and logged. With none left the attempt is not sent and fails like any other, saying so:
rotating the secret is the way out.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook

from chapters import secretbox
from chapters.auth.outbound import RefusedAddress, outbound_client
from chapters.errors import InvalidInput
from chapters.models.webhook import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from chapters.observability import traces
from chapters.settings import Settings
from chapters.webhooks import service
from chapters.webhooks.urls import check_url

# Seconds to wait after each failed attempt: about 19 hours from the first to the tenth.
RETRY_DELAYS = (5, 30, 120, 600, 1800, 3600, 7200, 18_000, 36_000)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXCERPT_LENGTH = 500
ATTEMPTS_KEPT = 20
USER_AGENT = "Chapters-Webhooks/1"
NO_READABLE_SECRET = (
    "Not sent: no signing secret of the endpoint can be read (sealed under a key the service"
    " no longer has); rotate the secret"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    excerpt: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return f"HTTP {self.status_code}" if self.status_code is not None else str(self.error)


def signature(secrets: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """``v1,<sig>`` by each secret, space-separated (the specification's form for several)."""
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets)


def signed_headers(
    secrets: list[str], msg_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature(secrets, msg_id, timestamp, body),
    }


def body_of(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


async def post(url: str, body: str, headers: dict[str, str], settings: Settings) -> Outcome:
    started = time.monotonic()

    def outcome(
        status_code: int | None = None, error: str | None = None, excerpt: str | None = None
    ) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(status_code, error, excerpt, elapsed)

    allow_private = settings.webhook_allow_private_networks
    try:
        await check_url(url, allow_private_networks=allow_private)
    except InvalidInput as refused:
        return outcome(error=f"Not sent: {refused}")
    timeout = settings.webhook_timeout_seconds
    client = traces.traced_client(
        outbound_client(timeout=timeout, allow_private_networks=allow_private)
    )
    async with client:
        try:
            response = await client.post(url, content=body.encode(), headers=headers)
        except RefusedAddress as refused:
            return outcome(error=f"Not sent: {refused}")
        except httpx.TimeoutException:
            return outcome(error=f"No answer within {timeout} s")
        except httpx.HTTPError as failed:
            return outcome(error=f"{type(failed).__name__}: {failed}".rstrip(": "))
    return outcome(status_code=response.status_code, excerpt=response.text[:EXCERPT_LENGTH] or None)


async def active_secrets(session: AsyncSession, endpoint_id: uuid.UUID, now: datetime) -> list[str]:
    """The endpoint's unexpired secrets in clear, newest first, leaving out (and logging) any
    that no key opens: the others still sign."""
    rows = await session.execute(
        select(WebhookSecret.id, WebhookSecret.sealed_secret)
        .where(
            WebhookSecret.endpoint_id == endpoint_id,
            or_(WebhookSecret.expires_at.is_(None), WebhookSecret.expires_at > now),
        )
        .order_by(WebhookSecret.created_at.desc(), WebhookSecret.id)
    )
    secrets = []
    for secret_id, sealed in rows:
        try:
            secrets.append(secretbox.unseal(sealed))
        except secretbox.UnreadableSecret:
            log.error(
                "webhook secret %s of endpoint %s cannot be unsealed with the service's keys"
                " (CHAPTERS_SECRET_KEYS, the signing key): deliveries are not signed with it",
                secret_id,
                endpoint_id,
            )
    return secrets


async def attempt(
    session: AsyncSession, settings: Settings, delivery_id: uuid.UUID, number: int
) -> None:
    """Attempt ``number`` of the delivery, if it is still its next one."""
    delivery = await session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
    )
    if (
        delivery is None  # the endpoint was deleted since
        or delivery.status != DeliveryStatus.PENDING
        or delivery.attempts + 1 != number
    ):
        return
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == delivery.endpoint_id)
    )
    now = datetime.now(UTC)
    if endpoint is None or not endpoint.enabled:
        reason = endpoint.disabled_reason if endpoint is not None else None
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = f"Not sent: the endpoint is disabled ({reason})"
        return
    secrets = await active_secrets(session, endpoint.id, now)
    if secrets:
        body = body_of(delivery.payload)
        headers = signed_headers(secrets, delivery.webhook_id, now, body)
        outcome = await post(endpoint.url, body, headers, settings)
    else:
        log.error("webhook delivery %s not sent: %s", delivery.id, NO_READABLE_SECRET)
        outcome = Outcome(status_code=None, error=NO_READABLE_SECRET, excerpt=None, duration_ms=0)
    _record(delivery, number, now, outcome)
    if outcome.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.consecutive_failures != 0)
            .values(consecutive_failures=0)
        )
        return
    failures = await session.scalar(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id)
        .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
        .returning(WebhookEndpoint.consecutive_failures)
    )
    if failures is not None and failures >= settings.webhook_failures_to_disable:
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.enabled.is_(True))
            .values(
                enabled=False,
                disabled_at=now,
                disabled_reason=f"Disabled after {failures} failed attempts in a row "
                f"(the last: {outcome.describe()})"[:500],
            )
        )
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    elif number >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        next_at = now + timedelta(seconds=RETRY_DELAYS[number - 1])
        delivery.next_attempt_at = next_at
        await service.schedule(session, delivery.id, attempt=number + 1, at=next_at)


def _record(delivery: WebhookDelivery, number: int, at: datetime, outcome: Outcome) -> None:
    delivery.attempts = number
    delivery.last_attempt_at = at
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.response_excerpt = outcome.excerpt
    entry = {
        "attempt": number,
        "at": at.isoformat(),
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
    delivery.attempt_log = [*(delivery.attempt_log or []), entry][-ATTEMPTS_KEPT:]
