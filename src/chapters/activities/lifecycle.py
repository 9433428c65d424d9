"""The review lifecycle: submit, review, reopen, cancel, the review thread, and recaps.

``TRANSITIONS`` is the whole state machine: a step is allowed from a status only if the table
has the pair, and it leads to the status the table names. Each step is also an action of the
policy (``STEP_ACTIONS``), asked about the activity's owning chapter.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import queries, recaps, service
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.lifecycle import Lifecycle
from chapters.models import Activity, ActivityComment, ActivityKind, ActivityTransition
from chapters.models import ActivityStatus as S
from chapters.validation import check_length, required_text


class Step(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_CHANGES = "request_changes"
    CANCEL = "cancel"
    REOPEN = "reopen"


TRANSITIONS: dict[tuple[S, Step], S] = {
    (S.DRAFT, Step.SUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, Step.SUBMIT): S.SUBMITTED,  # resubmission
    (S.SUBMITTED, Step.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Step.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.DRAFT, Step.CANCEL): S.CANCELLED,
    (S.SUBMITTED, Step.CANCEL): S.CANCELLED,
    (S.CHANGES_REQUESTED, Step.CANCEL): S.CANCELLED,
    (S.ACCEPTED, Step.CANCEL): S.CANCELLED,  # only before it starts: see ``_check_step``
    (S.ACCEPTED, Step.REOPEN): S.CHANGES_REQUESTED,  # ops correct it: edit, resubmit, review
}

STEP_ACTIONS = {
    Step.SUBMIT: Action.ACTIVITY_SUBMIT,
    Step.ACCEPT: Action.ACTIVITY_REVIEW,
    Step.REQUEST_CHANGES: Action.ACTIVITY_REVIEW,
    Step.CANCEL: Action.ACTIVITY_CANCEL,
    Step.REOPEN: Action.ACTIVITY_REOPEN,
}

# What submitting needs beyond what a draft needs: where the activity takes place.
IN_PERSON = frozenset(
    {ActivityKind.OFFLINE_MEETUP, ActivityKind.COMPANY_VISIT, ActivityKind.CAMPUS_VISIT}
)
ONLINE = frozenset({ActivityKind.ONLINE_MEETUP, ActivityKind.LIVE_STREAM})

RECAP_STATUSES = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ACCEPTED})
PAST_TENSE = {
    Step.SUBMIT: "submitted",
    Step.ACCEPT: "accepted",
    Step.REQUEST_CHANGES: "sent back for changes",
    Step.CANCEL: "cancelled",
    Step.REOPEN: "reopened",
}
COMMENT_LIMIT = 10000


LIFECYCLE = Lifecycle(
    noun="activity",
    transitions=TRANSITIONS,
    past_tense=PAST_TENSE,
    history=ActivityTransition,
    subject_key="activity_id",
)


def target_of(status: S, step: Step) -> S | None:
    return LIFECYCLE.target(status, step)


def _check_step(activity: Activity, step: Step, now: datetime) -> list[FieldError]:
    """Whether the activity, as it is, may take the step: the table, plus what it cannot say."""
    if target_of(activity.status, step) is None:
        return [LIFECYCLE.refusal(activity.status, step)]
    if step is Step.CANCEL and activity.status == S.ACCEPTED and activity.starts_at <= now:
        return [FieldError("id", ErrorCode.CONFLICT, "It already took place")]
    return []


def _ready_for_review(activity: Activity) -> list[FieldError]:
    if activity.kind in IN_PERSON and not activity.venue:
        return [FieldError("venue", ErrorCode.REQUIRED, "Say where it takes place")]
    if activity.kind in ONLINE and not activity.online_url:
        return [FieldError("online_url", ErrorCode.REQUIRED, "Say where to join it online")]
    return []


def step_problems(activity: Activity, step: Step, now: datetime) -> list[FieldError]:
    """What keeps the activity, as it is, from taking the step, whoever asks: the state
    machine, and for a submission what review needs (``Activity.submissionProblems``)."""
    errors = _check_step(activity, step, now)
    if not errors and step is Step.SUBMIT:
        errors = _ready_for_review(activity)
    return errors


def may_take(
    principal: Principal | None,
    activity: Activity,
    step: Step,
    now: datetime,
    co_hosts: frozenset[uuid.UUID] = frozenset(),
) -> bool:
    """Whether the caller could take the step now (for the client to offer it): the step
    would succeed, by the policy and by ``step_problems``."""
    allowed = authz.can(
        principal, STEP_ACTIONS[step], chapter_id=activity.chapter_id, co_hosts=co_hosts
    )
    return allowed and not step_problems(activity, step, now)


async def _take(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    step: Step,
    comment: str | None,
    *,
    field: str = "comment",
    comment_required: bool = False,
) -> Activity:
    """Take a step: the policy first, then the input and the state machine; the comment, if
    any, goes into the history and the review thread."""
    activity = await service.get_activity(session, principal, activity_id, lock=True)
    caller = await service.require_on(session, principal, STEP_ACTIONS[step], activity)
    comment = _comment(comment, field, required=comment_required)
    now = service.utc_now()
    errors = step_problems(activity, step, now)
    if errors:
        raise InvalidInput(*errors)
    service.record_transition(
        session, activity, TRANSITIONS[(activity.status, step)], caller, comment, now
    )
    if step is Step.SUBMIT:
        activity.submitted_at = now
    elif step in (Step.ACCEPT, Step.REQUEST_CHANGES, Step.REOPEN):
        activity.reviewed_at = now
    if comment:
        thread = ActivityComment(activity_id=activity.id, author_id=caller.person_id, body=comment)
        session.add(thread)
    await session.flush()
    return activity


def _comment(value: str | None, field: str, *, required: bool) -> str | None:
    if required:
        errors = required_text(value, field, COMMENT_LIMIT)
    else:
        errors = check_length(value, field, COMMENT_LIMIT)
    if errors:
        raise InvalidInput(*errors)
    return (value or "").strip() or None


async def submit(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    comment: str | None = None,
) -> Activity:
    """Put a draft, or an activity changed as requested, in the review queue."""
    return await _take(session, principal, activity_id, Step.SUBMIT, comment)


async def review(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    decision: Step,
    comment: str | None = None,
) -> Activity:
    """Accept a submitted activity, or hand it back with what to change."""
    if decision not in (Step.ACCEPT, Step.REQUEST_CHANGES):
        raise InvalidInput(FieldError("decision", ErrorCode.INVALID, "Accept or request changes"))
    return await _take(
        session,
        principal,
        activity_id,
        decision,
        comment,
        comment_required=decision is Step.REQUEST_CHANGES,
    )


async def cancel(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, reason: str
) -> Activity:
    return await _take(
        session, principal, activity_id, Step.CANCEL, reason, field="reason", comment_required=True
    )


async def reopen(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, reason: str
) -> Activity:
    """Send an accepted activity back for changes (ops): its leads edit and resubmit it, and
    it is reviewed again; the reason stays in the history and the thread."""
    return await _take(
        session, principal, activity_id, Step.REOPEN, reason, field="reason", comment_required=True
    )


async def add_comment(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, body: str
) -> ActivityComment:
    activity = await service.get_activity(session, principal, activity_id, "activity_id")
    caller = await service.require_on(session, principal, Action.ACTIVITY_COMMENT, activity)
    text = _comment(body, "body", required=True)
    comment = ActivityComment(activity_id=activity.id, author_id=caller.person_id, body=text)
    session.add(comment)
    await session.flush()
    return comment


async def _recap_target(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID
) -> tuple[Activity, Principal]:
    """The activity whose recap is written, and its author: the caller may, it was
    submitted, it has ended."""
    activity = await service.get_activity(session, principal, activity_id, lock=True)
    caller = await service.require_on(session, principal, Action.ACTIVITY_RECAP, activity)
    if activity.status not in RECAP_STATUSES:
        hint = "submit it first" if activity.status == S.DRAFT else "it was cancelled"
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, f"No recap yet: {hint}"))
    if not service.has_ended(activity, service.utc_now()):
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, "It has not ended yet"))
    return activity, caller


async def publish_recap(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    content: recaps.RecapContent,
    note: str | None = None,
) -> Activity:
    """Publish the recap of an activity that took place, or its next version (the earlier
    ones stay). ``recap_published_at`` keeps the first publication: it is what timeliness is
    judged by."""
    activity, caller = await _recap_target(session, principal, activity_id)
    await recaps.publish_version(
        session, activity, content, author_id=caller.person_id, note=note, now=service.utc_now()
    )
    return activity


async def remove_recap_link(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    url: str,
    note: str | None = None,
) -> Activity:
    """Take a wrong link out of the recap: a new version without it (the old one stays)."""
    activity, caller = await _recap_target(session, principal, activity_id)
    current = await recaps.current_version(session, activity)
    if current is None:
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, "No recap was published yet"))
    content = recaps.RecapContent(summary=current.summary, links=recaps.without_link(current, url))
    await recaps.publish_version(
        session, activity, content, author_id=caller.person_id, note=note, now=service.utc_now()
    )
    return activity


# What the caller may do with an activity now, for the client to offer it.


@dataclass(frozen=True)
class Abilities:
    edit: bool
    submit: bool  # exactly when submitting would succeed now
    review: bool
    cancel: bool
    publish_recap: bool
    comment: bool
    reopen: bool
    reschedule: bool


async def abilities(reader: Reader, activity: Activity) -> Abilities:
    """What the caller may do with the activity now, by the policy and its status."""
    principal, now = reader.principal, service.utc_now()
    co_hosts = await queries.co_host_ids(reader, activity)

    def allowed(action: Action) -> bool:
        return authz.can(principal, action, chapter_id=activity.chapter_id, co_hosts=co_hosts)

    return Abilities(
        edit=allowed(Action.ACTIVITY_EDIT) and activity.status in service.EDITABLE,
        submit=may_take(principal, activity, Step.SUBMIT, now, co_hosts),
        review=may_take(principal, activity, Step.ACCEPT, now, co_hosts),
        cancel=may_take(principal, activity, Step.CANCEL, now, co_hosts),
        publish_recap=allowed(Action.ACTIVITY_RECAP)
        and activity.status in RECAP_STATUSES
        and service.has_ended(activity, now),
        comment=allowed(Action.ACTIVITY_COMMENT),
        reopen=may_take(principal, activity, Step.REOPEN, now),
        reschedule=allowed(Action.ACTIVITY_RESCHEDULE) and activity.status != S.CANCELLED,
    )


async def submission_problems(reader: Reader, activity: Activity) -> list[FieldError] | None:
    """What keeps the caller from submitting the activity now (``step_problems``); None for
    callers who may not submit it."""
    co_hosts = await queries.co_host_ids(reader, activity)
    action = STEP_ACTIONS[Step.SUBMIT]
    if not authz.can(reader.principal, action, chapter_id=activity.chapter_id, co_hosts=co_hosts):
        return None
    return step_problems(activity, Step.SUBMIT, service.utc_now())
