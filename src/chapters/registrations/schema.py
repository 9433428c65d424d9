"""This domain's root fields: register (signed in, or publicly by name and email), confirm,
cancel, check in, erase, and the organisers' settings (see ``registrations.service``)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from chapters.activities.types import ActivityType
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.changes import UNSET
from chapters.local_chapters.types import ChapterType
from chapters.models import Activity, Chapter, Registration
from chapters.registrations import limits, service
from chapters.registrations.types import RegistrationType
from chapters.settings import Settings
from chapters.validation import check_locale


def _settings(info: strawberry.Info) -> Settings:
    settings: Settings = info.context.request.app.state.runtime.settings
    return settings


def _address(info: strawberry.Info) -> str:
    client = info.context.request.client
    return client.host if client else "unknown"


def _browser_locale(info: strawberry.Info) -> str | None:
    """The first language of the request's Accept-Language, if it is a BCP 47 tag."""
    header = info.context.request.headers.get("accept-language") or ""
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return first if first and first != "*" and not check_locale(first, "locale") else None


def _admission(info: strawberry.Info) -> service.Admit:
    """The abuse limits for this request's tenant and source address."""
    settings, tenant_id, address = _settings(info), info.context.tenant.id, _address(info)

    async def admit(activity_id: uuid.UUID) -> None:
        await limits.admit(settings, tenant_id, address, activity_id)

    return admit


@strawberry.input
class ActivityRegisterInput:
    activity_id: strawberry.ID


@strawberry.input(
    description="A registration by name and email, confirmed by a mailed link. Its mail is in "
    "the language the browser asks for first (Accept-Language), else the tenant's."
)
class ActivityRegisterPublicInput:
    activity_id: strawberry.ID
    name: str = strawberry.field(description="At most 200 characters.")
    email: str


@strawberry.input(description="The token of the link mailed to a public registrant.")
class RegistrationConfirmInput:
    token: str


@strawberry.input(description="One's own registration, or one of an activity one organises.")
class RegistrationCancelInput:
    registration_id: strawberry.ID


@strawberry.input(description="The token of the cancellation link mailed to the registrant.")
class RegistrationCancelByLinkInput:
    token: str


@strawberry.input
class RegistrationCheckInInput:
    activity_id: strawberry.ID
    code: str = strawberry.field(description="The registration's check-in code (any case).")


@strawberry.input
class RegistrationEraseInput:
    registration_id: strawberry.ID


@strawberry.input(description="Leave a field out to keep it.")
class ActivityRegistrationSettingsInput:
    activity_id: strawberry.ID
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="Seats; null: no limit."
    )
    open: bool | None = strawberry.field(
        default=None, description="Whether registrations are taken."
    )


@strawberry.input
class ChapterPublicRegistrationInput:
    chapter_id: strawberry.ID
    allowed: bool


@strawberry.type
class RegistrationPayload:
    registration: RegistrationType | None
    errors: list[UserError]


@strawberry.type(
    description="The same answer whether or not the address was registered already: look "
    "for the mail."
)
class RegistrationPublicPayload:
    received: bool = strawberry.field(
        description="True when the registration was taken: a confirmation link is on its way."
    )
    errors: list[UserError]


@strawberry.type
class RegistrationCheckInPayload:
    registration: RegistrationType | None
    already_checked_in: bool = strawberry.field(
        description="The registrant was checked in before: nothing changed."
    )
    errors: list[UserError]


@strawberry.type
class ActivityRegistrationSettingsPayload:
    activity: ActivityType | None
    errors: list[UserError]


@strawberry.type
class ChapterPublicRegistrationPayload:
    chapter: ChapterType | None
    errors: list[UserError]


def _registration(registration: Registration) -> RegistrationPayload:
    return RegistrationPayload(registration=RegistrationType.from_model(registration), errors=[])


def _registration_failed(errors: list[UserError]) -> RegistrationPayload:
    return RegistrationPayload(registration=None, errors=errors)


def _activity_id(value: strawberry.ID, field: str = "activityId") -> uuid.UUID:
    return decode_id(str(value), "Activity", field)


def _registration_id(value: strawberry.ID, field: str = "registrationId") -> uuid.UUID:
    return decode_id(str(value), "Registration", field)


@strawberry.type
class RegistrationQuery:
    pass


@strawberry.type
class RegistrationMutation:
    @strawberry.mutation(
        description="Register the signed-in caller for an accepted activity that has not "
        "ended: a seat, or a place on the waitlist when it is full."
    )
    async def activity_register(
        self, info: strawberry.Info, input: ActivityRegisterInput
    ) -> RegistrationPayload:
        ctx = info.context

        async def work() -> Registration:
            activity_id = _activity_id(input.activity_id)
            return await service.register(ctx.session, ctx.principal, activity_id, _admission(info))

        return await mutate(info, work, present=_registration, failed=_registration_failed)

    @strawberry.mutation(
        description="Register by name and email where the chapter allows public registration "
        "(no sign-in needed). The registration counts once the email is confirmed through "
        "the link mailed to it (registrationConfirm)."
    )
    async def activity_register_public(
        self, info: strawberry.Info, input: ActivityRegisterPublicInput
    ) -> RegistrationPublicPayload:
        ctx = info.context
        answer = limits.Uniform()

        async def work() -> bool:
            activity_id = _activity_id(input.activity_id)
            entry = service.PublicEntry(
                name=input.name, email=input.email, locale=_browser_locale(info)
            )
            await service.register_public(
                ctx.session, ctx.principal, activity_id, entry, _admission(info)
            )
            return True

        payload = await mutate(
            info,
            work,
            present=lambda received: RegistrationPublicPayload(received=received, errors=[]),
            failed=lambda errors: RegistrationPublicPayload(received=False, errors=errors),
        )
        await answer.wait()
        return payload

    @strawberry.mutation(
        description="Confirm a public registration's email with the token of the mailed link."
    )
    async def registration_confirm(
        self, info: strawberry.Info, input: RegistrationConfirmInput
    ) -> RegistrationPayload:
        ctx = info.context
        return await mutate(
            info,
            lambda: service.confirm(ctx.session, ctx.tenant.slug, input.token),
            present=_registration,
            failed=_registration_failed,
        )

    @strawberry.mutation(
        description="Cancel a registration: one's own, or one of an activity one organises. "
        "The first on the waitlist gets the seat. Cancelling again changes nothing."
    )
    async def registration_cancel(
        self, info: strawberry.Info, input: RegistrationCancelInput
    ) -> RegistrationPayload:
        ctx = info.context

        async def work() -> Registration:
            registration_id = _registration_id(input.registration_id)
            return await service.cancel(ctx.session, ctx.principal, registration_id)

        return await mutate(info, work, present=_registration, failed=_registration_failed)

    @strawberry.mutation(
        description="Cancel a registration through the token of the link mailed to the "
        "registrant (no sign-in needed)."
    )
    async def registration_cancel_by_link(
        self, info: strawberry.Info, input: RegistrationCancelByLinkInput
    ) -> RegistrationPayload:
        ctx = info.context
        return await mutate(
            info,
            lambda: service.cancel_by_link(ctx.session, ctx.tenant.slug, input.token),
            present=_registration,
            failed=_registration_failed,
        )

    @strawberry.mutation(
        description="Check a registrant in at the door by their code (organisers and staff). "
        "Checking in twice changes nothing."
    )
    async def registration_check_in(
        self, info: strawberry.Info, input: RegistrationCheckInInput
    ) -> RegistrationCheckInPayload:
        ctx = info.context

        async def work() -> service.CheckIn:
            activity_id = _activity_id(input.activity_id)
            return await service.check_in(ctx.session, ctx.principal, activity_id, input.code)

        return await mutate(
            info,
            work,
            present=lambda done: RegistrationCheckInPayload(
                registration=RegistrationType.from_model(done.registration),
                already_checked_in=done.already,
                errors=[],
            ),
            failed=lambda errors: RegistrationCheckInPayload(
                registration=None, already_checked_in=False, errors=errors
            ),
        )

    @strawberry.mutation(
        description="Erase a registrant's personal data on request (organisers and staff): "
        "name, email, language and person link go, also from the audit log; the registration "
        "stays in the counts."
    )
    async def registration_erase(
        self, info: strawberry.Info, input: RegistrationEraseInput
    ) -> RegistrationPayload:
        ctx = info.context

        async def work() -> Registration:
            registration_id = _registration_id(input.registration_id)
            return await service.erase(ctx.session, ctx.principal, registration_id)

        return await mutate(info, work, present=_registration, failed=_registration_failed)

    @strawberry.mutation(
        description="Set an activity's capacity and whether it takes registrations (whoever "
        "may edit it, in any status). A larger capacity promotes from the waitlist at once."
    )
    async def activity_registration_settings(
        self, info: strawberry.Info, input: ActivityRegistrationSettingsInput
    ) -> ActivityRegistrationSettingsPayload:
        ctx = info.context

        async def work() -> Activity:
            capacity: Any = UNSET if input.capacity is strawberry.UNSET else input.capacity
            settings = service.RegistrationSettings(capacity=capacity, open=input.open)
            activity_id = _activity_id(input.activity_id)
            return await service.update_settings(ctx.session, ctx.principal, activity_id, settings)

        return await mutate(
            info,
            work,
            present=lambda activity: ActivityRegistrationSettingsPayload(
                activity=ActivityType.from_model(activity), errors=[]
            ),
            failed=lambda errors: ActivityRegistrationSettingsPayload(activity=None, errors=errors),
        )

    @strawberry.mutation(
        description="Allow or stop public registration (by name and email) for a chapter's "
        "activities (whoever may edit the chapter)."
    )
    async def chapter_public_registration(
        self, info: strawberry.Info, input: ChapterPublicRegistrationInput
    ) -> ChapterPublicRegistrationPayload:
        ctx = info.context

        async def work() -> Chapter:
            chapter_id = decode_id(str(input.chapter_id), "Chapter", "chapterId")
            return await service.set_public_registration(
                ctx.session, ctx.principal, chapter_id, input.allowed
            )

        return await mutate(
            info,
            work,
            present=lambda chapter: ChapterPublicRegistrationPayload(
                chapter=ChapterType.from_model(chapter), errors=[]
            ),
            failed=lambda errors: ChapterPublicRegistrationPayload(chapter=None, errors=errors),
        )
