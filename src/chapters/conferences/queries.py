"""What may be read of conferences and talk submissions, and by whom.

Conferences: every signed-in person of the tenant (partners' clients see nothing). Talk
submissions: staff read every one; a person reads those they are a speaker on. The CFP
deadlines coming up and the acceptance rates (accepted over decided: accepted or rejected) are
staff's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, exists, extract, func, select

from chapters import authz
from chapters.authz import Action
from chapters.conferences.loaders import (
    decisions_by_conference,
    speaker_ids_by_submission,
    transitions_by_submission,
)
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models.conference import (
    DECIDED,
    Conference,
    SubmissionStatus,
    TalkSubmission,
    TalkSubmissionSpeaker,
    TalkSubmissionTransition,
)

CONFERENCE_ORDER = Ordering((Conference.starts_on, Conference.id), descending=True)
SUBMISSION_ORDER = Ordering((TalkSubmission.created_at, TalkSubmission.id))
DEADLINE_ORDER = Ordering((Conference.cfp_deadline, Conference.id))
MAX_DEADLINE_WINDOW = 366  # days ahead


def now() -> datetime:
    return datetime.now(UTC)


def reads_every_submission(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.TALK_DECIDE)


def _speaking(person_id: uuid.UUID | None) -> ColumnElement[bool]:
    return exists(
        select(TalkSubmissionSpeaker.id).where(
            TalkSubmissionSpeaker.tenant_id == TalkSubmission.tenant_id,
            TalkSubmissionSpeaker.submission_id == TalkSubmission.id,
            TalkSubmissionSpeaker.person_id == person_id,
        )
    )


def _visible_submissions(reader: Reader) -> list[ColumnElement[bool]]:
    if reads_every_submission(reader):
        return []
    principal = reader.principal
    return [_speaking(principal.person_id if principal is not None else None)]


async def conferences(reader: Reader, args: PageArgs) -> Page[Conference]:
    """Every conference, the latest first."""
    authz.require(reader.principal, Action.CONFERENCE_READ)
    return await paginate(reader.session, select(Conference), CONFERENCE_ORDER, args)


async def conference(reader: Reader, conference_id: uuid.UUID | None) -> Conference | None:
    if conference_id is None or not authz.can(reader.principal, Action.CONFERENCE_READ):
        return None
    row: Conference | None = await reader.loaders.of(rows_by_id, Conference).load(conference_id)
    return row


async def upcoming_cfp_deadlines(
    reader: Reader, within_days: int, args: PageArgs
) -> Page[Conference]:
    """The conferences whose call for papers closes from now to ``within_days`` ahead, the
    soonest first (staff)."""
    authz.require(reader.principal, Action.CONFERENCE_MANAGE)
    if not 0 <= within_days <= MAX_DEADLINE_WINDOW:
        message = f"Use 0 to {MAX_DEADLINE_WINDOW} days"
        raise InvalidInput(FieldError("within_days", ErrorCode.INVALID, message))
    start = now()
    statement = select(Conference).where(
        Conference.cfp_deadline >= start,
        Conference.cfp_deadline <= start + timedelta(days=within_days),
    )
    return await paginate(reader.session, statement, DEADLINE_ORDER, args)


@dataclass(frozen=True)
class SubmissionFilter:
    conference_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None  # submissions this person speaks on
    statuses: tuple[SubmissionStatus, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.conference_id is not None:
            conditions.append(TalkSubmission.conference_id == self.conference_id)
        if self.person_id is not None:
            conditions.append(_speaking(self.person_id))
        if self.statuses:
            conditions.append(TalkSubmission.status.in_(self.statuses))
        return conditions


async def submissions(
    reader: Reader, filters: SubmissionFilter, args: PageArgs
) -> Page[TalkSubmission]:
    """The submissions matching the filters that the caller may read, oldest first."""
    authz.require(reader.principal, Action.CONFERENCE_READ)
    statement = select(TalkSubmission).where(*filters.conditions(), *_visible_submissions(reader))
    return await paginate(reader.session, statement, SUBMISSION_ORDER, args)


async def submission(reader: Reader, submission_id: uuid.UUID | None) -> TalkSubmission | None:
    if submission_id is None or not authz.can(reader.principal, Action.CONFERENCE_READ):
        return None
    row: TalkSubmission | None = await reader.loaders.of(rows_by_id, TalkSubmission).load(
        submission_id
    )
    if row is None or reads_every_submission(reader):
        return row
    principal = reader.principal
    me = principal.person_id if principal is not None else None
    return row if me in await speaker_ids(reader, row.id) else None


async def speaker_ids(reader: Reader, submission_id: uuid.UUID) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = await reader.loaders.of(speaker_ids_by_submission).load(submission_id)
    return ids


async def transitions(reader: Reader, submission_id: uuid.UUID) -> list[TalkSubmissionTransition]:
    """The steps of a submission the caller may read, oldest first."""
    rows: list[TalkSubmissionTransition] = await reader.loaders.of(transitions_by_submission).load(
        submission_id
    )
    return rows


@dataclass(frozen=True)
class Acceptance:
    accepted: int
    decided: int
    year: int | None = None

    @property
    def rate(self) -> float | None:
        """Accepted over decided; None while nothing is decided."""
        return self.accepted / self.decided if self.decided else None


async def conference_acceptance(reader: Reader, conference_id: uuid.UUID) -> Acceptance | None:
    """A conference's acceptance (staff; None for everyone else)."""
    if not reads_every_submission(reader):
        return None
    accepted, decided = await reader.loaders.of(decisions_by_conference).load(conference_id)
    return Acceptance(accepted=accepted, decided=decided)


async def acceptance_by_year(reader: Reader) -> list[Acceptance]:
    """Per year of the conferences' start: accepted over decided submissions (staff)."""
    authz.require(reader.principal, Action.TALK_DECIDE)
    year = extract("year", Conference.starts_on)
    accepted = func.count().filter(TalkSubmission.status == SubmissionStatus.ACCEPTED)
    rows = (
        await reader.session.execute(
            select(year, accepted, func.count())
            .select_from(TalkSubmission)
            .join(
                Conference,
                (Conference.tenant_id == TalkSubmission.tenant_id)
                & (Conference.id == TalkSubmission.conference_id),
            )
            .where(TalkSubmission.status.in_(DECIDED))
            .group_by(year)
            .order_by(year)
        )
    ).all()
    return [Acceptance(year=int(y), accepted=int(a), decided=int(d)) for y, a, d in rows]
