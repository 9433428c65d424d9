"""The review lifecycle: submit, review, cancel, the review thread, and recaps.

``TRANSITIONS`` is the whole state machine: a step is allowed from a status only if the table
has the pair, and it leads to the status the table names. Each step is also an action of the
policy (``STEP_ACTIONS``), asked about the activity's owning chapter.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import service
from chapters.activities.service import LinkEntry
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Activity, ActivityComment, ActivityKind, ActivityLink, LinkKind
from chapters.models import ActivityStatus as S
from chapters.validation import check_length, required_text


class Step(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_CHANGES = "request_changes"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[S, Step], S] = {
    (S.DRAFT, Step.SUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, Step.SUBMIT): S.SUBMITTED,  # resubmission
    (S.SUBMITTED, Step.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Step.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.DRAFT, Step.CANCEL): S.CANCELLED,
    (S.SUBMITTED, Step.CANCEL): S.CANCELLED,
    (S.CHANGES_REQUESTED, Step.CANCEL): S.CANCELLED,
    (S.ACCEPTED, Step.CANCEL): S.CANCELLED,  # only before it starts: see ``_check_step``
}

STEP_ACTIONS = {
    Step.SUBMIT: Action.ACTIVITY_SUBMIT,
    Step.ACCEPT: Action.ACTIVITY_REVIEW,
    Step.REQUEST_CHANGES: Action.ACTIVITY_REVIEW,
    Step.CANCEL: Action.ACTIVITY_CANCEL,
}

# What submitting needs beyond what a draft needs: where the activity takes place.
IN_PERSON = frozenset(
    {ActivityKind.OFFLINE_MEETUP, ActivityKind.COMPANY_VISIT, ActivityKind.CAMPUS_VISIT}
)
ONLINE = frozenset({ActivityKind.ONLINE_MEETUP, ActivityKind.LIVE_STREAM})

RECAP_STATUSES = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.ACCEPTED})
RECAP_LINK_KINDS = frozenset(
    {LinkKind.RECORDING, LinkKind.SLIDES, LinkKind.ARTICLE, LinkKind.EPISODE, LinkKind.PHOTOS}
)
PAST_TENSE = {
    Step.SUBMIT: "submitted",
    Step.ACCEPT: "accepted",
    Step.REQUEST_CHANGES: "sent back for changes",
    Step.CANCEL: "cancelled",
}
COMMENT_LIMIT = 10000
SUMMARY_LIMIT = 20000


def target_of(status: S, step: Step) -> S | None:
    return TRANSITIONS.get((status, step))


def _check_step(activity: Activity, step: Step, now: datetime) -> list[FieldError]:
    """Whether the activity, as it is, may take the step: the table, plus what it cannot say."""
    if target_of(activity.status, step) is None:
        status = activity.status.value.replace("_", " ")
        message = f"The activity is {status}: it cannot be {PAST_TENSE[step]}"
        return [FieldError("id", ErrorCode.CONFLICT, message)]
    if step is Step.CANCEL and activity.status == S.ACCEPTED and activity.starts_at <= now:
        return [FieldError("id", ErrorCode.CONFLICT, "It already took place")]
    return []


def _ready_for_review(activity: Activity) -> list[FieldError]:
    if activity.kind in IN_PERSON and not activity.venue:
        return [FieldError("venue", ErrorCode.REQUIRED, "Say where it takes place")]
    if activity.kind in ONLINE and not activity.online_url:
        return [FieldError("onlineUrl", ErrorCode.REQUIRED, "Say where to join it online")]
    return []


def may_take(principal: Principal | None, activity: Activity, step: Step, now: datetime) -> bool:
    """Whether the caller could take the step now (for the client to offer it); a submission
    may still miss what review needs, such as the venue."""
    return authz.can(
        principal, STEP_ACTIONS[step], chapter_id=activity.chapter_id
    ) and not _check_step(activity, step, now)


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
    authz.require(principal, STEP_ACTIONS[step], chapter_id=activity.chapter_id)
    comment = _comment(comment, field, required=comment_required)
    now = service.utc_now()
    errors = _check_step(activity, step, now)
    if not errors and step is Step.SUBMIT:
        errors = _ready_for_review(activity)
    if errors:
        raise InvalidInput(*errors)
    service.record_transition(
        session, activity, TRANSITIONS[(activity.status, step)], principal, comment, now
    )
    if step is Step.SUBMIT:
        activity.submitted_at = now
    elif step in (Step.ACCEPT, Step.REQUEST_CHANGES):
        activity.reviewed_at = now
    if comment:
        thread = ActivityComment(
            activity_id=activity.id, author_id=principal.person_id, body=comment
        )
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


async def add_comment(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, body: str
) -> ActivityComment:
    activity = await service.get_activity(session, principal, activity_id, "activityId")
    authz.require(principal, Action.ACTIVITY_COMMENT, chapter_id=activity.chapter_id)
    text = _comment(body, "body", required=True)
    comment = ActivityComment(activity_id=activity.id, author_id=principal.person_id, body=text)
    session.add(comment)
    await session.flush()
    return comment


def _check_recap(
    summary: str, actual_attendance: Any, links: Sequence[LinkEntry]
) -> list[FieldError]:
    errors = required_text(summary, "summary", SUMMARY_LIMIT)
    if actual_attendance is not UNSET:
        errors += service.check_attendance(actual_attendance, "actualAttendance")
    errors += service.check_links(links)
    errors += [
        FieldError(
            f"links.{i}.kind",
            ErrorCode.INVALID,
            "Recap links are recordings, slides, articles, episodes or photos",
        )
        for i, link in enumerate(links)
        if link.kind not in RECAP_LINK_KINDS
    ]
    return errors


async def publish_recap(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    *,
    summary: str,
    actual_attendance: Any = UNSET,
    links: Sequence[LinkEntry] = (),
) -> Activity:
    """Publish (or update) the recap of an activity that took place. ``recap_published_at``
    keeps the first publication: it is what timeliness is judged by. Links are added to the
    activity's links, each once."""
    activity = await service.get_activity(session, principal, activity_id, lock=True)
    authz.require(principal, Action.ACTIVITY_RECAP, chapter_id=activity.chapter_id)
    now = service.utc_now()
    if activity.status not in RECAP_STATUSES:
        hint = "submit it first" if activity.status == S.DRAFT else "it was cancelled"
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, f"No recap yet: {hint}"))
    if not service.has_ended(activity, now):
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, "It has not ended yet"))
    errors = _check_recap(summary, actual_attendance, links)
    if errors:
        raise InvalidInput(*errors)
    activity.recap_summary = summary.strip()
    if actual_attendance is not UNSET:
        activity.actual_attendance = actual_attendance
    activity.recap_published_at = activity.recap_published_at or now
    await _add_links(session, activity, links)
    activity.updated_at = now
    await session.flush()
    return activity


async def _add_links(session: AsyncSession, activity: Activity, links: Sequence[LinkEntry]) -> None:
    existing = await service.rows_of(session, ActivityLink, activity)
    have = {(row.kind, row.url) for row in existing}
    new = []
    for link in links:
        values = service.link_values(link)
        if (values["kind"], values["url"]) not in have:
            have.add((values["kind"], values["url"]))
            new.append(values)
    service.append_rows(session, activity, ActivityLink, new)
