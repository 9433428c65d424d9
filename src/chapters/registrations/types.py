"""GraphQL types of registrations, and the fields they add to ``Activity`` and ``Viewer``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import LoadedNode, global_id
from chapters.db.pagination import PageArgs
from chapters.models import Activity, Registration, RegistrationStatus
from chapters.registrations import queries

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType

strawberry.enum(
    RegistrationStatus,
    name="RegistrationStatus",
    description="PENDING: a public registration whose email is not confirmed yet (no seat); "
    "CONFIRMED: holds a seat; WAITLISTED: waits for one, in order; CANCELLED.",
)
RegistrationStatusType: TypeAlias = RegistrationStatus


@strawberry.type(
    name="Registration",
    description="A registration for an activity. Seen by the registrant and by the "
    "activity's organisers and staff only.",
)
class RegistrationType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    status: RegistrationStatusType
    check_in_code: str = strawberry.field(
        description="The short code shown at the door (registrationCheckIn takes it)."
    )
    registered_at: datetime
    confirmed_at: datetime | None = strawberry.field(description="When it got its seat.")
    waitlisted_at: datetime | None = strawberry.field(
        description="When it joined the waitlist: its place in the queue."
    )
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    erased_at: datetime | None = strawberry.field(
        description="When the registrant's personal data was erased on request."
    )
    row: strawberry.Private[Registration]

    @classmethod
    def from_model(cls, r: Registration) -> RegistrationType:
        return cls(
            id=str(r.id),
            status=r.status,
            check_in_code=r.code,
            registered_at=r.created_at,
            confirmed_at=r.confirmed_at,
            waitlisted_at=r.waitlisted_at,
            cancelled_at=r.cancelled_at,
            checked_in_at=r.checked_in_at,
            erased_at=r.erased_at,
            row=r,
        )

    @strawberry.field(description="The registrant's name (a person's display name).")
    async def name(self, info: strawberry.Info) -> str | None:
        name, _ = await queries.registrant_contact(info.context, self.row)
        return name

    @strawberry.field(description="The registrant's email address.")
    async def email(self, info: strawberry.Info) -> str | None:
        _, email = await queries.registrant_contact(info.context, self.row)
        return email

    @strawberry.field(description="The registrant's person id; null for public registrants.")
    def person_id(self) -> strawberry.ID | None:
        person = self.row.person_id
        return strawberry.ID(global_id("Person", person)) if person else None

    @strawberry.field(description="The check-in code as a QR code: an inline SVG element.")
    def check_in_qr_svg(self) -> str:
        return queries.check_in_qr_svg(self.row.code)

    @strawberry.field
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.row.activity_id)

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> RegistrationType | None:
        found = await queries.registration(info.context, object_id)
        return None if found is None else cls.from_model(found)


@strawberry.type(name="RegistrationConnection")
class RegistrationConnection(relay.Connection[RegistrationType]):
    pass


@strawberry.type(
    name="ActivityRegistration",
    description="An activity's registration: its settings and counts (everyone), and the "
    "caller's own registration.",
)
class ActivityRegistrationType:
    capacity: int | None = strawberry.field(description="Seats; null: no limit.")
    open: bool = strawberry.field(description="Whether the organisers take registrations.")
    public: bool = strawberry.field(
        description="Whether anyone may register by name and email (activityRegisterPublic): "
        "the owning chapter's publicRegistration."
    )
    accepting: bool = strawberry.field(
        description="Whether a registration would be taken now (accepted, not ended, open)."
    )
    seats_taken: int = strawberry.field(description="Confirmed registrations.")
    seats_left: int | None = strawberry.field(description="Null without a capacity.")
    waitlist_length: int
    checked_in: int = strawberry.field(description="Registrants checked in at the door.")
    activity_row: strawberry.Private[Activity]

    @strawberry.field(description="The caller's live registration (null if none).")
    async def viewer_registration(self, info: strawberry.Info) -> RegistrationType | None:
        found = await queries.viewer_registration(info.context, self.activity_row)
        return None if found is None else RegistrationType.from_model(found)


async def registration_of_activity(
    info: strawberry.Info, activity: Activity
) -> ActivityRegistrationType:
    summary = await queries.summary(info.context, activity)
    counts = summary.counts
    return ActivityRegistrationType(
        capacity=summary.capacity,
        open=summary.open,
        public=summary.public,
        accepting=summary.refusal is None,
        seats_taken=counts.seats_taken,
        seats_left=None
        if summary.capacity is None
        else max(summary.capacity - counts.seats_taken, 0),
        waitlist_length=counts.waitlisted,
        checked_in=counts.checked_in,
        activity_row=activity,
    )


async def registrants_of_activity(
    info: strawberry.Info,
    activity: Activity,
    first: int | None,
    after: str | None,
    status: list[RegistrationStatus] | None,
) -> RegistrationConnection:
    args = PageArgs(first=first, after=after)
    page = await queries.registrants(info.context, activity, args, status or [])
    return connection(RegistrationConnection, page, RegistrationType.from_model)


async def registrations_of_viewer(
    info: strawberry.Info, first: int | None, after: str | None
) -> RegistrationConnection:
    page = await queries.own_registrations(info.context, PageArgs(first=first, after=after))
    return connection(RegistrationConnection, page, RegistrationType.from_model)
