"""State machines whose every step is kept: the pattern of the activities' review, shared by
everything that moves through statuses (activities, talk submissions, articles).

A ``Lifecycle`` is the whole machine of one kind of thing: which step leads from which status
to which (a step not in the table is refused with ``CONFLICT``), the words for each step, and
the table that keeps the history (one row per step: from, to, actor, comment, time).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.errors import ErrorCode, FieldError, InvalidInput

Status = TypeVar("Status", bound=enum.StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[Status]):
    noun: str  # "activity", "submission", "article": how refusals name the thing
    # (status, step) → status; steps are strings (a StrEnum or plain constants)
    transitions: Mapping[tuple[Status, Any], Status]
    past_tense: Mapping[Any, str]  # step → "submitted", "sent back for changes" ...
    history: type[Any]  # the model keeping each step (``ActivityTransition``'s columns)
    subject_key: str  # the history's column naming the thing ("activity_id")

    def target(self, status: Status, step: str) -> Status | None:
        return self.transitions.get((status, step))

    def steps_from(self, status: Status) -> list[str]:
        """The steps the table allows from ``status``, in the table's order."""
        return [step for (source, step) in self.transitions if source == status]

    def refusal(self, status: Status, step: str) -> FieldError:
        shown = status.value.replace("_", " ")
        message = f"The {self.noun} is {shown}: it cannot be {self.past_tense[step]}"
        return FieldError("id", ErrorCode.CONFLICT, message)

    def require(self, status: Status, step: str) -> Status:
        """Where ``step`` leads from ``status``; refused with a typed error if nowhere."""
        target = self.target(status, step)
        if target is None:
            raise InvalidInput(self.refusal(status, step))
        return target

    def record(
        self,
        session: AsyncSession,
        subject: Any,
        to_status: Status,
        actor_id: uuid.UUID | None,
        comment: str | None,
        now: datetime,
        *,
        initial: bool = False,
    ) -> None:
        """Move ``subject`` to ``to_status`` and keep the step (``initial``: just created)."""
        keep_step(
            session,
            self.history,
            self.subject_key,
            subject,
            to_status,
            actor_id,
            comment,
            now,
            initial=initial,
        )


def keep_step(
    session: AsyncSession,
    history: type[Any],
    subject_key: str,
    subject: Any,
    to_status: enum.StrEnum,
    actor_id: uuid.UUID | None,
    comment: str | None,
    now: datetime,
    *,
    initial: bool = False,
) -> None:
    """``Lifecycle.record`` for code below the module that holds the table."""
    session.add(
        history(
            **{subject_key: subject.id},
            from_status=None if initial else subject.status,
            to_status=to_status,
            actor_id=actor_id,
            comment=comment,
            occurred_at=now,
        )
    )
    subject.status = to_status
