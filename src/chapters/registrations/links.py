"""Signed links in registration mail: confirm a public registration, cancel one.

A token names the tenant and the registration, so it is useless for another tenant's
registration with the same id or for another purpose (a confirmation token cannot cancel).
Cancellation links do not expire (a registrant may cancel until the activity ends);
confirmation links expire after a week, after which the registrant registers again.
"""

from __future__ import annotations

import uuid

from chapters.links import link, sign, unsign

CONFIRM_PURPOSE = "registration.confirm"
CANCEL_PURPOSE = "registration.cancel"
CONFIRM_TTL_SECONDS = 7 * 24 * 3600

CONFIRM_PATH = "registrations/confirm"
CANCEL_PATH = "registrations/cancel"


def confirmation_token(tenant_slug: str, registration_id: uuid.UUID | str) -> str:
    return sign(CONFIRM_PURPOSE, tenant_slug, str(registration_id), ttl_seconds=CONFIRM_TTL_SECONDS)


def cancellation_token(tenant_slug: str, registration_id: uuid.UUID | str) -> str:
    return sign(CANCEL_PURPOSE, tenant_slug, str(registration_id))


def confirmation_url(public_url: str, tenant_slug: str, registration_id: uuid.UUID | str) -> str:
    """The page a public registrant opens to confirm their email address."""
    return link(
        public_url,
        tenant_slug,
        CONFIRM_PATH,
        token=confirmation_token(tenant_slug, registration_id),
    )


def cancellation_url(public_url: str, tenant_slug: str, registration_id: uuid.UUID | str) -> str:
    """The page a registrant opens to cancel their registration."""
    return link(
        public_url,
        tenant_slug,
        CANCEL_PATH,
        token=cancellation_token(tenant_slug, registration_id),
    )


def registration_of(purpose: str, tenant_slug: str, token: str) -> uuid.UUID | None:
    """The registration a valid token for ``purpose`` names in ``tenant_slug``; else None."""
    values = unsign(purpose, token)
    if values is None or len(values) != 2 or values[0] != tenant_slug:
        return None
    try:
        return uuid.UUID(values[1])
    except ValueError:
        return None
