"""``contributionsImport``: code contributions recorded by a service (a GitHub sync job) or by
staff, a thousand events per call at most (larger files: ``chapters import-contributions``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from chapters.api.errors import UserError
from chapters.api.mutations import mutate
from chapters.insight import contributions
from chapters.models import ContributionKind

strawberry.enum(
    ContributionKind,
    name="ContributionKind",
    description="What a code contribution was, in GitHub's words.",
)


@strawberry.input(description="One code contribution, as GitHub reports it.")
class ContributionEventInput:
    handle: str = strawberry.field(
        description="The contributor's GitHub handle: matched to a person's githubHandle, "
        "case-insensitively."
    )
    repository: str = strawberry.field(description="owner/name, e.g. kubernetes/website.")
    kind: ContributionKind
    url: str = strawberry.field(
        description="The contribution's http(s) URL (at most 500 characters): an event with a "
        "URL already recorded is not recorded again."
    )
    occurred_at: datetime


@strawberry.input
class ContributionsImportInput:
    events: list[ContributionEventInput] = strawberry.field(
        description=f"At most {contributions.MAX_EVENTS_PER_CALL} events; all valid or none "
        "recorded."
    )


@strawberry.type(description="A handle that no person has (or that several share): not recorded.")
class UnmatchedHandle:
    handle: str
    events: int = strawberry.field(description="The events of this call with the handle.")


@strawberry.type
class ContributionsImportPayload:
    recorded: int = strawberry.field(description="Events recorded now.")
    already_recorded: int = strawberry.field(description="Events whose URL was recorded before.")
    unmatched_handles: list[UnmatchedHandle] = strawberry.field(
        description="Handles matching no single person, most events first."
    )
    errors: list[UserError]


def _present(summary: contributions.ImportSummary) -> ContributionsImportPayload:
    return ContributionsImportPayload(
        recorded=summary.recorded,
        already_recorded=summary.already_recorded,
        unmatched_handles=[
            UnmatchedHandle(handle=u.handle, events=u.events) for u in summary.unmatched
        ],
        errors=[],
    )


def _failed(errors: list[UserError]) -> ContributionsImportPayload:
    return ContributionsImportPayload(
        recorded=0, already_recorded=0, unmatched_handles=[], errors=errors
    )


@strawberry.type
class ContributionMutation:
    @strawberry.mutation(
        description="Record code contributions, the evidence of code contributors (central ops, "
        "admins, service clients with contributions:write). Idempotent: keyed by URL."
    )
    async def contributions_import(
        self, info: strawberry.Info, input: ContributionsImportInput
    ) -> ContributionsImportPayload:
        ctx = info.context
        events = [
            {
                "handle": event.handle,
                "repository": event.repository,
                "kind": event.kind,
                "url": event.url,
                "date": event.occurred_at,
            }
            for event in input.events
        ]
        return await mutate(
            info,
            lambda: contributions.record_contributions(ctx.session, ctx.principal, events),
            present=_present,
            failed=_failed,
        )
