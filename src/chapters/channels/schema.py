"""This domain's root fields: the tenant's publishing channels (signed-in people read them;
staff keep them), publications (where content went: editors and staff record an activity's
recording and remove mistakes), reach readings (editors and staff enter them) and the reach
totals per channel and month (staff, viewers, editors and metrics clients)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import given_fields, mutate
from chapters.channels import queries, service
from chapters.channels.types import (
    ChannelConnection,
    ChannelKindType,
    ChannelMonthReachType,
    ChannelType,
    PublicationConnection,
    PublicationInput,
    PublicationType,
    ReachReadingType,
    publication_entries,
    publication_list,
)
from chapters.db.pagination import PageArgs
from chapters.models import Channel, Publication, ReachReading

FIGURE_NOTE = "the cumulative total as of `readOn` (not the growth since the last reading)"


@strawberry.input
class PublicationFilter:
    channel_id: strawberry.ID | None = None
    from_: date | None = strawberry.field(
        default=None, name="from", description="Published on or after this day."
    )
    to: date | None = strawberry.field(default=None, description="Published on or before.")

    def to_service(self) -> queries.PublicationFilter:
        return queries.PublicationFilter(
            channel_id=decode_optional_id(self.channel_id, "Channel", "filter.channel_id"),
            published_from=self.from_,
            published_to=self.to,
        )


@strawberry.input
class ChannelCreateInput:
    name: str = strawberry.field(description="Unique in the tenant.")
    kind: ChannelKindType
    url: str | None = strawberry.field(
        default=None, description="The channel's home (http or https)."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ChannelUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    kind: ChannelKindType | None = strawberry.UNSET
    url: str | None = strawberry.UNSET


@strawberry.input
class ChannelIdInput:
    id: strawberry.ID


@strawberry.input
class ActivityRecordingPublishInput:
    activity_id: strawberry.ID = strawberry.field(
        description="An accepted activity that has started."
    )
    publications: list[PublicationInput] = strawberry.field(
        description="Where its recording went: one per channel."
    )


@strawberry.input
class PublicationRemoveInput:
    id: strawberry.ID


@strawberry.input(
    description="A publication's figures as read on a day. Each figure is "
    + FIGURE_NOTE
    + "; give at least one. Totals never go down: a figure below an earlier reading's, or "
    "above a later reading's, of the same publication is refused. Entering a day again "
    "replaces that day's figures."
)
class ReachRecordInput:
    publication_id: strawberry.ID
    read_on: date = strawberry.field(
        description="The day the figures were read: not before the publication appeared, "
        "not in the future."
    )
    reads: int | None = strawberry.field(default=None, description=f"Reads: {FIGURE_NOTE}.")
    views: int | None = strawberry.field(default=None, description=f"Views: {FIGURE_NOTE}.")
    likes: int | None = strawberry.field(default=None, description=f"Likes: {FIGURE_NOTE}.")
    followers_gained: int | None = strawberry.field(
        default=None, description=f"Followers the publication brought: {FIGURE_NOTE}."
    )


@strawberry.type
class ChannelPayload:
    channel: ChannelType | None
    errors: list[UserError]


@strawberry.type
class ActivityRecordingPublishPayload:
    publications: list[PublicationType] | None
    errors: list[UserError]


@strawberry.type
class PublicationRemovePayload:
    removed_id: strawberry.ID | None = strawberry.field(
        description="The global id of the publication removed."
    )
    errors: list[UserError]


@strawberry.type
class ReachRecordPayload:
    reading: ReachReadingType | None
    publication: PublicationType | None
    errors: list[UserError]


def _channel_fields(data: Any) -> service.ChannelFields:
    return service.ChannelFields(**given_fields(data, service.ChannelFields.__dataclass_fields__))


def _channel_payload(channel: Channel) -> ChannelPayload:
    return ChannelPayload(channel=ChannelType.from_model(channel), errors=[])


def _channel_failed(errors: list[UserError]) -> ChannelPayload:
    return ChannelPayload(channel=None, errors=errors)


async def _set_retired(info: strawberry.Info, input: ChannelIdInput, retired: bool) -> Any:
    ctx = info.context

    async def work() -> Channel:
        channel_id = decode_id(str(input.id), "Channel", "id")
        return await service.set_retired(ctx.session, ctx.principal, channel_id, retired)

    return await mutate(info, work, present=_channel_payload, failed=_channel_failed)


@strawberry.type
class ChannelQuery:
    @strawberry.field(
        description="The tenant's publishing channels by name, current ones only unless "
        "`includeRetired` (signed-in people)."
    )
    async def channels(
        self,
        info: strawberry.Info,
        include_retired: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ChannelConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.channels(info.context, include_retired, args)
        return connection(ChannelConnection, page, ChannelType.from_model)

    @strawberry.field(
        description="Publications (a piece of content on a channel), the latest first "
        "(signed-in people; reach figures: staff, viewers and editors)."
    )
    async def publications(
        self,
        info: strawberry.Info,
        filter: PublicationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PublicationConnection:
        filters = (filter or PublicationFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.publications(info.context, filters, args)
        return connection(PublicationConnection, page, PublicationType.from_model)

    @strawberry.field(
        description="Reach per channel and month, from `from` to `to` (months as 2026-03, "
        f"at most {queries.MAX_REACH_MONTHS}): how much each figure grew within the month "
        "(per publication, its last reading in the month less its last reading before; a "
        "first reading counts fully), and the publications that appeared. Only channels and "
        "months with publications or growth; `channelIds`: only these channels. Staff, "
        "viewers, editors and metrics clients."
    )
    async def channel_reach(
        self,
        info: strawberry.Info,
        from_: Annotated[str, strawberry.argument(name="from")],
        to: str,
        channel_ids: list[strawberry.ID] | None = None,
    ) -> list[ChannelMonthReachType]:
        ids = [
            decode_id(str(value), "Channel", f"channel_ids.{index}")
            for index, value in enumerate(channel_ids or ())
        ]
        rows = await queries.channel_reach(info.context, from_, to, ids)
        return [ChannelMonthReachType.from_model(row) for row in rows]


@strawberry.type
class ChannelMutation:
    @strawberry.mutation(description="Add a publishing channel (ops and admins).")
    async def channel_create(
        self, info: strawberry.Info, input: ChannelCreateInput
    ) -> ChannelPayload:
        ctx = info.context

        async def work() -> Channel:
            return await service.create_channel(ctx.session, ctx.principal, _channel_fields(input))

        return await mutate(info, work, present=_channel_payload, failed=_channel_failed)

    @strawberry.mutation(description="Change a channel (ops and admins).")
    async def channel_update(
        self, info: strawberry.Info, input: ChannelUpdateInput
    ) -> ChannelPayload:
        ctx = info.context

        async def work() -> Channel:
            channel_id = decode_id(str(input.id), "Channel", "id")
            fields = _channel_fields(input)
            return await service.update_channel(ctx.session, ctx.principal, channel_id, fields)

        return await mutate(info, work, present=_channel_payload, failed=_channel_failed)

    @strawberry.mutation(
        description="Retire a channel: it takes no new publications; its past ones and their "
        "reach stay (ops and admins)."
    )
    async def channel_retire(self, info: strawberry.Info, input: ChannelIdInput) -> ChannelPayload:
        result: ChannelPayload = await _set_retired(info, input, True)
        return result

    @strawberry.mutation(description="Bring a retired channel back (ops and admins).")
    async def channel_unretire(
        self, info: strawberry.Info, input: ChannelIdInput
    ) -> ChannelPayload:
        result: ChannelPayload = await _set_retired(info, input, False)
        return result

    @strawberry.mutation(
        description="Record where an accepted activity's recording was published, once it "
        "has started: one publication per channel (editors, ops and admins)."
    )
    async def activity_recording_publish(
        self, info: strawberry.Info, input: ActivityRecordingPublishInput
    ) -> ActivityRecordingPublishPayload:
        ctx = info.context

        async def work() -> list[Publication]:
            activity_id = decode_id(str(input.activity_id), "Activity", "activity_id")
            entries = publication_entries(input.publications)
            return await service.publish_recording(ctx.session, ctx.principal, activity_id, entries)

        return await mutate(
            info,
            work,
            present=lambda rows: ActivityRecordingPublishPayload(
                publications=publication_list(rows), errors=[]
            ),
            failed=lambda errors: ActivityRecordingPublishPayload(publications=None, errors=errors),
        )

    @strawberry.mutation(
        description="Remove a publication entered by mistake, with its reach readings "
        "(editors, ops and admins)."
    )
    async def publication_remove(
        self, info: strawberry.Info, input: PublicationRemoveInput
    ) -> PublicationRemovePayload:
        ctx = info.context

        async def work() -> str:
            publication_id = decode_id(str(input.id), "Publication", "id")
            await service.remove_publication(ctx.session, ctx.principal, publication_id)
            return str(input.id)

        return await mutate(
            info,
            work,
            present=lambda removed: PublicationRemovePayload(
                removed_id=strawberry.ID(removed), errors=[]
            ),
            failed=lambda errors: PublicationRemovePayload(removed_id=None, errors=errors),
        )

    @strawberry.mutation(
        description="Enter a publication's reach figures as read on a day, each the "
        "cumulative total so far (editors, ops and admins)."
    )
    async def reach_record(
        self, info: strawberry.Info, input: ReachRecordInput
    ) -> ReachRecordPayload:
        ctx = info.context

        async def work() -> tuple[ReachReading, Publication]:
            publication_id = decode_id(str(input.publication_id), "Publication", "publication_id")
            figures = service.ReachFigures(
                read_on=input.read_on,
                reads=input.reads,
                views=input.views,
                likes=input.likes,
                followers_gained=input.followers_gained,
            )
            reading = await service.record_reach(
                ctx.session, ctx.principal, publication_id, figures
            )
            publication = await service.get_publication(ctx.session, reading.publication_id)
            return reading, publication

        return await mutate(
            info,
            work,
            present=lambda done: ReachRecordPayload(
                reading=ReachReadingType.from_model(done[0]),
                publication=PublicationType.from_model(done[1]),
                errors=[],
            ),
            failed=lambda errors: ReachRecordPayload(reading=None, publication=None, errors=errors),
        )
