"""Who is calling, as established once per request from a verified token."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from chapters.lru import LRU
from chapters.models import ChapterRole, ClientKind, TenantRole


@dataclass(frozen=True, kw_only=True)
class ApiClientIdentity:
    """An API client calling with a client-credentials token."""

    id: uuid.UUID
    client_id: str
    kind: ClientKind
    organisation_id: uuid.UUID | None  # partner clients: the organisation they act for
    scopes: frozenset[str]


@dataclass(frozen=True, kw_only=True)
class Principal:
    """Who is calling: a signed-in person of the request's tenant, or one of its API clients
    (then ``person_id`` is None and ``client`` says which)."""

    tenant_id: uuid.UUID
    person_id: uuid.UUID | None
    email: str | None
    display_name: str
    tenant_role: TenantRole | None
    # Roles on the chapters where the person's membership is active.
    chapter_roles: Mapping[uuid.UUID, ChapterRole] = field(default_factory=dict)
    client: ApiClientIdentity | None = None

    @property
    def actor_id(self) -> uuid.UUID | None:
        """Whom the audit log names: the person, or the API client."""
        if self.person_id is not None:
            return self.person_id
        return self.client.id if self.client is not None else None

    @property
    def partner_organisation_id(self) -> uuid.UUID | None:
        if self.client is not None and self.client.kind == ClientKind.PARTNER:
            return self.client.organisation_id
        return None


class KnownPrincipals(LRU[Hashable, tuple[Principal, str]]):
    """The principals of callers seen recently, with the fingerprint each was read with
    (``people.service.principal_fingerprint``, ``clients.service.client_fingerprint``), per
    process and bounded, by tenant and caller (a person's id, or a client's token claims).
    A principal taken from here is only trusted by a statement that checks its fingerprint
    against the database in the same snapshot (``api.compiled_front``): a role granted or
    revoked since, a client revoked, shows there, and the entry is forgotten."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__(size)
