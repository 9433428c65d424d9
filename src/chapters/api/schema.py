"""The one GraphQL schema: root types composed from each domain's Query and Mutation."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig

from chapters.activities.participants_schema import ActivityParticipantMutation
from chapters.activities.schema import ActivityMutation, ActivityQuery
from chapters.ambassadors.schema import AmbassadorMutation, AmbassadorQuery
from chapters.api.compiled_reads import CompiledReads
from chapters.api.extensions import build_extensions
from chapters.api.limits import MAX_PAGE_SIZE
from chapters.api.scalars import SCALAR_OVERRIDES
from chapters.articles.schema import ArticleMutation, ArticleQuery
from chapters.audit.schema import AuditQuery
from chapters.authors.schema import AuthorMutation, AuthorQuery
from chapters.channels.schema import ChannelMutation, ChannelQuery
from chapters.clients.schema import ClientMutation, ClientQuery
from chapters.committees.schema import CommitteeMutation, CommitteeQuery
from chapters.conferences.schema import ConferenceMutation, ConferenceQuery
from chapters.editors.schema import EditorMutation, EditorQuery
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.feeds.schema import FeedMutation, FeedQuery
from chapters.incentives.schema import IncentiveMutation, IncentiveQuery
from chapters.insight.contributions_schema import ContributionMutation
from chapters.insight.schema import InsightQuery
from chapters.jobs.schema import JobMutation, JobQuery
from chapters.local_chapters.schema import ChapterMutation, ChapterQuery
from chapters.memberships.schema import MembershipMutation
from chapters.mentoring.schema import MentoringMutation, MentoringQuery
from chapters.newsletters.schema import NewsletterMutation, NewsletterQuery
from chapters.notifications.schema import NotificationMutation, NotificationQuery
from chapters.organisations.schema import OrganisationMutation, OrganisationQuery
from chapters.partnerships.schema import PartnershipMutation, PartnershipQuery
from chapters.people.schema import PeopleMutation, PeopleQuery
from chapters.recognition.schema import RecognitionMutation, RecognitionQuery
from chapters.registrations.schema import RegistrationMutation, RegistrationQuery
from chapters.settings import Settings, get_settings
from chapters.tenants.schema import TenantMutation, TenantQuery
from chapters.webhooks.schema import WebhookMutation, WebhookQuery


@strawberry.type
class Query(
    TenantQuery,
    PeopleQuery,
    ChapterQuery,
    CommitteeQuery,
    AuditQuery,
    OrganisationQuery,
    MentoringQuery,
    ActivityQuery,
    ClientQuery,
    InsightQuery,
    RegistrationQuery,
    NotificationQuery,
    WebhookQuery,
    JobQuery,
    FeedQuery,
    AmbassadorQuery,
    RecognitionQuery,
    IncentiveQuery,
    PartnershipQuery,
    ConferenceQuery,
    NewsletterQuery,
    AuthorQuery,
    ChannelQuery,
    ArticleQuery,
    EditorQuery,
):
    @strawberry.field(description="Any object by its global id.")
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        return await _node_or_none(info, id)

    @strawberry.field(description="Objects by their global ids (at most 100), in order.")
    async def nodes(
        self, info: strawberry.Info, ids: list[strawberry.ID]
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise InvalidInput(
                FieldError("ids", ErrorCode.INVALID, f"At most {MAX_PAGE_SIZE} ids at once")
            )
        return list(await asyncio.gather(*(_node_or_none(info, gid) for gid in ids)))


async def _node_or_none(info: strawberry.Info, raw_id: str) -> relay.Node | None:
    """The object, or null for any id that names nothing the caller may see: a missing or
    hidden object, a type without nodes (or no type at all), or text that is not an id."""
    try:
        return await relay.GlobalID.from_id(raw_id).resolve_node(info, required=False)
    except (ValueError, KeyError):  # GlobalIDValueError is a ValueError
        return None


@strawberry.type
class Mutation(
    TenantMutation,
    ChapterMutation,
    MembershipMutation,
    CommitteeMutation,
    PeopleMutation,
    OrganisationMutation,
    MentoringMutation,
    ActivityMutation,
    ActivityParticipantMutation,
    ClientMutation,
    ContributionMutation,
    RegistrationMutation,
    NotificationMutation,
    WebhookMutation,
    JobMutation,
    FeedMutation,
    AmbassadorMutation,
    RecognitionMutation,
    IncentiveMutation,
    PartnershipMutation,
    ConferenceMutation,
    NewsletterMutation,
    AuthorMutation,
    ChannelMutation,
    ArticleMutation,
    EditorMutation,
):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        # The compiled read path comes last: after the limits, costs and validation.
        extensions=[*build_extensions(settings), CompiledReads],
        scalar_overrides=SCALAR_OVERRIDES,
        config=StrawberryConfig(
            relay_max_results=settings.page_size_max, disable_field_suggestions=True
        ),
    )


# Built once per process: a relay Query type cannot be bound to a second Schema.
schema = build_schema(get_settings())
