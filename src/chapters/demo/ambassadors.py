"""Ambassadors for tenant ``demo``: the programs "Ambassadors" (12-month terms) and "Student
Ambassadors", one ambassador serving, one renewed (two terms), one alumna whose term ended
unrenewed, and one nomination waiting for review. Written as rows, dated from today (the
seeding acts for no one); once: the "Ambassadors" program is the marker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.ambassadors.service import add_months, default_end
from chapters.models import Chapter, Person
from chapters.models.ambassador import (
    AmbassadorNomination,
    AmbassadorProgram,
    AmbassadorTerm,
    NominatedAs,
    NominationStatus,
    TermStatus,
)

PROGRAM = "Ambassadors"
STUDENTS = "Student Ambassadors"


async def _ids(session: AsyncSession) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    people = {
        name: id_ for name, id_ in await session.execute(select(Person.display_name, Person.id))
    }
    chapters = {slug: id_ for slug, id_ in await session.execute(select(Chapter.slug, Chapter.id))}
    return people, chapters


def _nomination(
    program: AmbassadorProgram,
    person_id: uuid.UUID,
    chapter_id: uuid.UUID | None,
    statement: str,
    *,
    accepted: bool = True,
) -> AmbassadorNomination:
    return AmbassadorNomination(
        id=uuid.uuid4(),
        program_id=program.id,
        person_id=person_id,
        nominated_as=NominatedAs.STAFF if accepted else NominatedAs.SELF,
        nominated_by_id=None if accepted else person_id,
        chapter_id=chapter_id,
        statement=statement,
        evidence_urls=["https://example.org/demo-community/talks"],
        status=NominationStatus.ACCEPTED if accepted else NominationStatus.PENDING,
        reviewed_at=datetime.now(UTC) if accepted else None,
    )


def _term(
    nomination: AmbassadorNomination | None,
    program: AmbassadorProgram,
    person_id: uuid.UUID,
    chapter_id: uuid.UUID | None,
    starts_on: date,
    status: TermStatus,
    previous: AmbassadorTerm | None = None,
) -> AmbassadorTerm:
    now = datetime.now(UTC)
    return AmbassadorTerm(
        id=uuid.uuid4(),
        program_id=program.id,
        person_id=person_id,
        chapter_id=chapter_id,
        nomination_id=nomination.id if nomination else None,
        previous_term_id=previous.id if previous else None,
        starts_on=starts_on,
        ends_on=default_end(starts_on, program.term_months),
        status=status,
        renewed_at=now if status == TermStatus.RENEWED else None,
        ended_at=now if status == TermStatus.ENDED else None,
    )


async def seed_ambassadors(session: AsyncSession) -> str:
    if await session.scalar(select(AmbassadorProgram.id).where(AmbassadorProgram.name == PROGRAM)):
        return "ambassadors: already seeded"
    people, chapters = await _ids(session)
    program = AmbassadorProgram(
        id=uuid.uuid4(),
        name=PROGRAM,
        criteria="Organises or speaks at least four times a year and welcomes newcomers.",
        term_months=12,
        active=True,
    )
    students = AmbassadorProgram(
        id=uuid.uuid4(),
        name=STUDENTS,
        criteria="A student who runs a campus club or brings classmates to meetups.",
        term_months=6,
        active=True,
    )
    session.add_all([program, students])
    await session.flush()
    today = datetime.now(UTC).date()

    # Serving: Xu Ming, for Hangzhou, since about three months.
    xu, hangzhou = people["Xu Ming"], chapters["hangzhou"]
    xu_nomination = _nomination(program, xu, hangzhou, "Runs the Hangzhou meetup programme.")
    # Renewed: Emily Wong, for Guangzhou: a first term that ended two months ago, continued.
    emily, guangzhou = people["Emily Wong"], chapters["guangzhou"]
    emily_nomination = _nomination(program, emily, guangzhou, "Organised the summer meetups.")
    # Alumna: Chen Jie's term ended eight months ago, unrenewed (she chairs the committee).
    chen = people["Chen Jie"]
    chen_nomination = _nomination(program, chen, hangzhou, "Founded the Hangzhou chapter.")
    # Waiting for review: Xie Na put herself forward as a student ambassador.
    xie_nomination = _nomination(
        students,
        people["Xie Na"],
        chapters["shenzhen"],
        "I run the robotics club at my university and bring classmates to meetups.",
        accepted=False,
    )
    session.add_all([xu_nomination, emily_nomination, chen_nomination, xie_nomination])
    await session.flush()

    first = _term(
        emily_nomination,
        program,
        emily,
        guangzhou,
        add_months(today, -14),
        TermStatus.RENEWED,
    )
    terms = [
        _term(xu_nomination, program, xu, hangzhou, today - timedelta(days=90), TermStatus.ACTIVE),
        first,
        _term(chen_nomination, program, chen, hangzhou, add_months(today, -20), TermStatus.ENDED),
    ]
    session.add_all(terms)
    await session.flush()
    second = _term(
        None,
        program,
        emily,
        guangzhou,
        first.ends_on + timedelta(days=1),
        TermStatus.ACTIVE,
        previous=first,
    )
    session.add(second)
    for nomination, term in zip(
        (xu_nomination, emily_nomination, chen_nomination), terms, strict=True
    ):
        nomination.term_id = term.id
    await session.flush()
    return (
        "ambassadors: 2 programs, 3 ambassadors (1 serving, 1 renewed, 1 alumna), "
        "1 nomination to review"
    )
