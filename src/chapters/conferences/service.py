"""Use cases on conferences and talk submissions. Services validate, ask the policy, write,
and never commit.

Conferences are staff's to record. A submission is its speakers' (people of the tenant): a
person may draft one listing themself, staff for anyone. While drafting, its speakers or staff
edit it; they submit it (title and abstract needed) or withdraw it; staff accept or reject a
submitted one. Each step is kept with who took it. Accepting puts the talk in the activity
ledger: a TALK activity, accepted through the activities' own lifecycle, with the speakers as
SPEAKER participants, credited to the chapter of the first speaker who is an active member of
one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import lifecycle
from chapters.activities import service as activities
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.lifecycle import Lifecycle
from chapters.models import (
    ActivityKind,
    ChapterMembership,
    MembershipStatus,
    ParticipantRole,
    Person,
)
from chapters.models.conference import (
    Conference,
    SubmissionStatus,
    TalkSubmission,
    TalkSubmissionSpeaker,
    TalkSubmissionTransition,
)
from chapters.validation import (
    check_date_order,
    check_texts,
    check_web_url,
    checked_text,
    clean_text,
    required_text,
)

S = SubmissionStatus
NAME_LIMIT = 200
CITY_LIMIT = 200
NOTES_LIMIT = 5000
TITLE_LIMIT = 300
ABSTRACT_LIMIT = 10000
TRACK_LIMIT = 200
COMMENT_LIMIT = 5000
MAX_SPEAKERS = 10
VENUE_LIMIT = 300  # an activity's venue
# An accepted talk's activity starts at noon UTC on the conference's first day: the talk's own
# slot is rarely known when it is accepted.
TALK_TIME = time(12, 0, tzinfo=UTC)


class Step:
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    REJECT = "reject"


TRANSITIONS: dict[tuple[SubmissionStatus, str], SubmissionStatus] = {
    (S.DRAFTING, Step.SUBMIT): S.SUBMITTED,
    (S.DRAFTING, Step.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, Step.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, Step.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Step.REJECT): S.REJECTED,
}
PAST_TENSE = {
    Step.SUBMIT: "submitted",
    Step.WITHDRAW: "withdrawn",
    Step.ACCEPT: "accepted",
    Step.REJECT: "rejected",
}
LIFECYCLE = Lifecycle(
    noun="submission",
    transitions=TRANSITIONS,
    past_tense=PAST_TENSE,
    history=TalkSubmissionTransition,
    subject_key="submission_id",
)


@dataclass(frozen=True, kw_only=True)
class ConferenceFields(Changes):
    """Conference fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    starts_on: Change[date | None] = UNSET
    ends_on: Change[date | None] = UNSET
    city: Change[str | None] = UNSET
    online: Change[bool | None] = UNSET
    cfp_deadline: Change[datetime | None] = UNSET
    url: Change[str | None] = UNSET
    notes: Change[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class SubmissionFields(Changes):
    title: Change[str | None] = UNSET
    abstract: Change[str | None] = UNSET
    track: Change[str | None] = UNSET
    # The speakers, in order; a given list replaces the list.
    speaker_ids: Change[Sequence[uuid.UUID] | None] = UNSET


# --- conferences ----------------------------------------------------------------------------


async def get_conference(
    session: AsyncSession, conference_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Conference:
    return await get_row(session, Conference, conference_id, "Conference", field, lock=lock)


_CONFERENCE_TEXT = {"name": NAME_LIMIT, "city": CITY_LIMIT, "notes": NOTES_LIMIT}


def _conference_values(fields: ConferenceFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in ("name", "city", "url", "notes"):
        if name in values:
            values[name] = clean_text(values[name])
    if values.get("cfp_deadline") is not None and values["cfp_deadline"].tzinfo is None:
        values["cfp_deadline"] = values["cfp_deadline"].replace(tzinfo=UTC)
    return values


def _check_conference(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("name", "starts_on", "ends_on"):
        if (creating or name in values) and values.get(name) is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"A conference needs its {name}"))
    if "online" in values and values["online"] is None:
        errors.append(FieldError("online", ErrorCode.REQUIRED, "Say whether it is online"))
    errors += check_texts(values, _CONFERENCE_TEXT)
    errors += check_web_url(values.get("url"), "url")
    return errors


async def create_conference(
    session: AsyncSession, principal: Principal | None, fields: ConferenceFields
) -> Conference:
    authz.require(principal, Action.CONFERENCE_MANAGE)
    values = _conference_values(fields, creating=True)
    errors = _check_conference(values, creating=True)
    errors += check_date_order(values.get("starts_on"), values.get("ends_on"), "ends_on")
    if errors:
        raise InvalidInput(*errors)
    values.setdefault("online", False)
    conference = Conference(**values)
    session.add(conference)
    await session.flush()
    return conference


async def update_conference(
    session: AsyncSession,
    principal: Principal | None,
    conference_id: uuid.UUID,
    fields: ConferenceFields,
) -> Conference:
    authz.require(principal, Action.CONFERENCE_MANAGE)
    conference = await get_conference(session, conference_id, lock=True)
    values = _conference_values(fields, creating=False)
    errors = _check_conference(values, creating=False)
    field = "starts_on" if "starts_on" in values and "ends_on" not in values else "ends_on"
    errors += check_date_order(
        values.get("starts_on", conference.starts_on),
        values.get("ends_on", conference.ends_on),
        field,
    )
    if errors:
        raise InvalidInput(*errors)
    for key, value in values.items():
        setattr(conference, key, value)
    await session.flush()
    return conference


# --- submissions ----------------------------------------------------------------------------


async def get_submission(
    session: AsyncSession, submission_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> TalkSubmission:
    return await get_row(
        session, TalkSubmission, submission_id, "Talk submission", field, lock=lock
    )


async def speaker_ids_of(session: AsyncSession, submission_id: uuid.UUID) -> list[uuid.UUID]:
    """The submission's speakers, in order."""
    rows = await session.scalars(
        select(TalkSubmissionSpeaker.person_id)
        .where(TalkSubmissionSpeaker.submission_id == submission_id)
        .order_by(TalkSubmissionSpeaker.position)
    )
    return list(rows)


def _require_person_or_staff(principal: Principal | None) -> Principal:
    """The first gate, before anything is looked up: a person acting for themself, or staff
    (API clients have no talks of their own)."""
    me = principal.person_id if principal is not None else None
    return authz.require_caller(principal, Action.TALK_SUBMIT, person_id=me)


def _require_speaker_or_staff(
    principal: Principal | None, speaker_ids: Sequence[uuid.UUID]
) -> Principal:
    """Staff act on any submission; a person on one that lists them."""
    me = principal.person_id if principal is not None else None
    listed = me if me is not None and me in speaker_ids else None
    return authz.require_caller(principal, Action.TALK_SUBMIT, person_id=listed)


async def _speakers(
    session: AsyncSession, speaker_ids: Sequence[uuid.UUID] | None
) -> list[uuid.UUID]:
    """People of the tenant, each once, in the order given; any other id is NOT_FOUND on its
    place in the list."""
    given = list(speaker_ids or ())
    if not given:
        raise InvalidInput(
            FieldError("speaker_ids", ErrorCode.REQUIRED, "A talk needs at least one speaker")
        )
    if len(given) > MAX_SPEAKERS:
        raise InvalidInput(
            FieldError("speaker_ids", ErrorCode.INVALID, f"At most {MAX_SPEAKERS} speakers")
        )
    wanted = list(dict.fromkeys(given))
    found = set(await session.scalars(select(Person.id).where(Person.id.in_(wanted))))
    missing = [
        FieldError(f"speaker_ids.{index}", ErrorCode.NOT_FOUND, "No person with this id")
        for index, person_id in enumerate(given)
        if person_id not in found
    ]
    if missing:
        raise InvalidInput(*missing)
    return wanted


_SUBMISSION_TEXT = {"title": TITLE_LIMIT, "abstract": ABSTRACT_LIMIT, "track": TRACK_LIMIT}


def _submission_values(fields: SubmissionFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in _SUBMISSION_TEXT:
        if name in values:
            values[name] = clean_text(values[name])
    errors = check_texts(values, _SUBMISSION_TEXT)
    if errors:
        raise InvalidInput(*errors)
    return values


async def _write_speakers(
    session: AsyncSession, submission: TalkSubmission, speaker_ids: Sequence[uuid.UUID]
) -> None:
    for position, person_id in enumerate(speaker_ids):
        session.add(
            TalkSubmissionSpeaker(
                submission_id=submission.id, person_id=person_id, position=position
            )
        )
    await session.flush()


async def create_submission(
    session: AsyncSession,
    principal: Principal | None,
    conference_id: uuid.UUID,
    fields: SubmissionFields,
) -> TalkSubmission:
    """A new draft: a person listing themself among its speakers, or staff for anyone."""
    _require_person_or_staff(principal)
    conference = await get_conference(session, conference_id, "conference_id")
    values = _submission_values(fields, creating=True)
    listed = values.pop("speaker_ids", None)
    if listed is None and principal is not None and principal.person_id is not None:
        listed = [principal.person_id]  # one's own talk, unless others are named
    speakers = await _speakers(session, listed)
    caller = _require_speaker_or_staff(principal, speakers)
    submission = TalkSubmission(conference_id=conference.id, status=S.DRAFTING, **values)
    session.add(submission)
    await session.flush()
    await _write_speakers(session, submission, speakers)
    LIFECYCLE.record(
        session, submission, S.DRAFTING, caller.person_id, None, activities.utc_now(), initial=True
    )
    await session.flush()
    return submission


async def update_submission(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    fields: SubmissionFields,
) -> TalkSubmission:
    """Edit a draft (its speakers or staff). A speaker who is not staff stays on the list."""
    _require_person_or_staff(principal)
    submission = await get_submission(session, submission_id, lock=True)
    caller = _require_speaker_or_staff(principal, await speaker_ids_of(session, submission.id))
    values = _submission_values(fields, creating=False)
    if submission.status != S.DRAFTING:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, "Only a submission being drafted can be edited")
        )
    if "speaker_ids" in values:
        speakers = await _speakers(session, values.pop("speaker_ids"))
        if not authz.can(caller, Action.TALK_SUBMIT) and caller.person_id not in speakers:
            raise InvalidInput(
                FieldError("speaker_ids", ErrorCode.INVALID, "Keep yourself among the speakers")
            )
        await session.execute(
            delete(TalkSubmissionSpeaker).where(
                TalkSubmissionSpeaker.submission_id == submission.id
            )
        )
        await _write_speakers(session, submission, speakers)
    for key, value in values.items():
        setattr(submission, key, value)
    await session.flush()
    return submission


async def _take(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    step: str,
    comment: str | None,
) -> tuple[TalkSubmission, Principal, datetime]:
    """The policy first, then the input and the state machine; the step is recorded."""
    deciding = step in (Step.ACCEPT, Step.REJECT)
    if deciding:
        caller = authz.require_caller(principal, Action.TALK_DECIDE)
    else:
        _require_person_or_staff(principal)
    submission = await get_submission(session, submission_id, lock=True)
    if not deciding:
        caller = _require_speaker_or_staff(principal, await speaker_ids_of(session, submission.id))
    note = checked_text(comment, "comment", COMMENT_LIMIT)
    target = LIFECYCLE.require(submission.status, step)
    if step == Step.SUBMIT:
        missing = [
            *required_text(submission.title, "title", TITLE_LIMIT),
            *required_text(submission.abstract, "abstract", ABSTRACT_LIMIT),
        ]
        if missing:
            raise InvalidInput(*missing)
    now = activities.utc_now()
    LIFECYCLE.record(session, submission, target, caller.person_id, note, now)
    if step == Step.SUBMIT:
        submission.submitted_at = now
    elif step in (Step.ACCEPT, Step.REJECT):
        submission.decided_at = now
    await session.flush()
    return submission, caller, now


async def submit(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    comment: str | None = None,
) -> TalkSubmission:
    """Send a draft to the conference (its title and abstract are needed)."""
    return (await _take(session, principal, submission_id, Step.SUBMIT, comment))[0]


async def withdraw(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    comment: str | None = None,
) -> TalkSubmission:
    """Give up a draft or a submitted talk."""
    return (await _take(session, principal, submission_id, Step.WITHDRAW, comment))[0]


async def reject(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    comment: str | None = None,
) -> TalkSubmission:
    return (await _take(session, principal, submission_id, Step.REJECT, comment))[0]


async def _credited_chapter(
    session: AsyncSession, speaker_ids: Sequence[uuid.UUID]
) -> uuid.UUID | None:
    """The chapter of the first speaker (in the list's order) who is an active member of one;
    of their chapters, the one they joined first."""
    rows = (
        await session.execute(
            select(ChapterMembership.person_id, ChapterMembership.chapter_id)
            .where(
                ChapterMembership.person_id.in_(speaker_ids),
                ChapterMembership.status == MembershipStatus.ACTIVE,
            )
            .order_by(ChapterMembership.joined_at, ChapterMembership.id)
        )
    ).all()
    chapters: dict[uuid.UUID, uuid.UUID] = {}
    for person_id, chapter_id in rows:
        chapters.setdefault(person_id, chapter_id)
    return next((chapters[p] for p in speaker_ids if p in chapters), None)


def _venue(conference: Conference) -> str:
    where = f"{conference.name}, {conference.city}" if conference.city else conference.name
    return where[:VENUE_LIMIT]


async def accept(
    session: AsyncSession,
    principal: Principal | None,
    submission_id: uuid.UUID,
    comment: str | None = None,
) -> TalkSubmission:
    """Accept a submitted talk: it enters the activity ledger as an accepted TALK."""
    authz.require_caller(principal, Action.TALK_DECIDE)
    submission = await get_submission(session, submission_id, lock=True)
    speakers = await speaker_ids_of(session, submission.id)
    chapter_id = await _credited_chapter(session, speakers)
    if submission.status == S.SUBMITTED and chapter_id is None:
        raise InvalidInput(
            FieldError(
                "id",
                ErrorCode.CONFLICT,
                "No speaker is an active member of a chapter: the talk cannot be credited",
            )
        )
    submission, caller, _ = await _take(session, principal, submission_id, Step.ACCEPT, comment)
    conference = await get_conference(session, submission.conference_id)
    assert chapter_id is not None and submission.title is not None
    activity = await activities.create_activity(
        session,
        caller,
        activities.ActivityFields(
            chapter_id=chapter_id,
            kind=ActivityKind.TALK,
            title=submission.title,
            description=submission.abstract,
            starts_at=datetime.combine(conference.starts_on, TALK_TIME),
            venue=_venue(conference),
            online_url=conference.url
            if conference.online and len(conference.url or "") <= 500
            else None,
            participants=[
                activities.ParticipantEntry(
                    role=ParticipantRole.SPEAKER, person_id=person_id, topic=submission.title
                )
                for person_id in speakers
            ],
        ),
    )
    await lifecycle.submit(session, caller, activity.id)
    await lifecycle.review(session, caller, activity.id, lifecycle.Step.ACCEPT)
    submission.activity_id = activity.id
    await session.flush()
    return submission
