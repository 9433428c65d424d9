"""Recaps as versions, and what their figures count.

A recap is never overwritten: each publication (and each link removed) adds a version with who
published it, when and why, and the latest version is the current recap, copied onto the
activity (``recap_summary``, ``actual_attendance``, ``reach``) for lists and filters.

Figures: ``attendance`` counts people present and belongs to events; ``reach`` counts how many
read, watched or listened, in a unit, and belongs to content. ``FIGURES`` says which kind takes
which; a live stream has both (people who joined live, views of the recording).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities import service
from chapters.activities.loaders import current_recap_by_activity, links_by_activity
from chapters.activities.service import LinkEntry
from chapters.changes import UNSET, Change
from chapters.db.loaders import Reader
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import (
    Activity,
    ActivityKind,
    ActivityLink,
    ActivityRecapVersion,
    LinkKind,
    ReachUnit,
)
from chapters.validation import check_length, required_text

K, U = ActivityKind, ReachUnit


@dataclass(frozen=True)
class Figures:
    """What a kind's recap may count: people present, and reach in which units."""

    attendance: bool
    reach_units: frozenset[ReachUnit] = frozenset()


EVENT = Figures(attendance=True)
FIGURES: dict[ActivityKind, Figures] = {
    K.OFFLINE_MEETUP: EVENT,
    K.ONLINE_MEETUP: EVENT,
    K.COMPANY_VISIT: EVENT,
    K.CAMPUS_VISIT: EVENT,
    K.TALK: EVENT,
    K.MENTORING: EVENT,
    K.LIVE_STREAM: Figures(attendance=True, reach_units=frozenset({U.VIEWS})),
    K.ARTICLE: Figures(attendance=False, reach_units=frozenset({U.READS})),
    K.PODCAST: Figures(attendance=False, reach_units=frozenset({U.LISTENS})),
    K.OTHER: Figures(attendance=True, reach_units=frozenset(U)),
}

RECAP_LINK_KINDS = frozenset(
    {LinkKind.RECORDING, LinkKind.SLIDES, LinkKind.ARTICLE, LinkKind.EPISODE, LinkKind.PHOTOS}
)
SUMMARY_LIMIT = 20000
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Reach:
    count: int
    unit: ReachUnit


@dataclass(frozen=True, kw_only=True)
class RecapContent:
    """A version's content. In a publication, UNSET keeps what the current version says."""

    summary: str
    attendance: Change[int | None] = UNSET
    reach: Change[Reach | None] = UNSET
    links: Change[Sequence[LinkEntry] | None] = UNSET


def _kinds(kind: ActivityKind) -> str:
    return kind.value.replace("_", " ") + "s"


def _units(units: frozenset[ReachUnit]) -> str:
    return " or ".join(sorted(unit.value for unit in units))


def check_figures(
    kind: ActivityKind, attendance: int | None, reach: Reach | None
) -> list[FieldError]:
    """The figures a recap of this kind may give, each within bounds."""
    rules = FIGURES[kind]
    errors: list[FieldError] = []
    if attendance is not None:
        errors += service.check_attendance(attendance, "attendance")
        if not rules.attendance:
            units = _units(rules.reach_units)
            message = f"No attendance for {_kinds(kind)}: give their reach ({units}) instead"
            errors.append(FieldError("attendance", ErrorCode.INVALID, message))
    if reach is not None:
        errors += service.check_attendance(reach.count, "reach.count")
        if not rules.reach_units:
            message = f"No reach for {_kinds(kind)}: give the attendance (people present)"
            errors.append(FieldError("reach", ErrorCode.INVALID, message))
        elif reach.unit not in rules.reach_units:
            message = f"The reach of {_kinds(kind)} is counted in {_units(rules.reach_units)}"
            errors.append(FieldError("reach.unit", ErrorCode.INVALID, message))
    return errors


def check_links(links: Sequence[LinkEntry]) -> list[FieldError]:
    errors = service.check_links(links)
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


def link_dicts(links: Sequence[LinkEntry]) -> list[dict[str, Any]]:
    """As stored in a version: each (kind, url) once, in the order given."""
    seen, stored = set(), []
    for link in links:
        values = service.link_values(link)
        if (values["kind"], values["url"]) not in seen:
            seen.add((values["kind"], values["url"]))
            stored.append({**values, "kind": values["kind"].value})
    return stored


def link_entries(stored: Sequence[dict[str, Any]]) -> list[LinkEntry]:
    return [
        LinkEntry(kind=LinkKind(link["kind"]), url=link["url"], title=link.get("title"))
        for link in stored
    ]


async def current_version(session: AsyncSession, activity: Activity) -> ActivityRecapVersion | None:
    return await session.scalar(
        select(ActivityRecapVersion)
        .where(ActivityRecapVersion.activity_id == activity.id)
        .order_by(ActivityRecapVersion.number.desc())
        .limit(1)
    )


def _merged(
    activity: Activity, current: ActivityRecapVersion | None, content: RecapContent
) -> tuple[int | None, Reach | None, list[LinkEntry]]:
    """The figures and links of the next version: given ones, else the current version's."""
    attendance = activity.actual_attendance if content.attendance is UNSET else content.attendance
    kept_reach = (
        Reach(activity.reach, activity.reach_unit)
        if activity.reach is not None and activity.reach_unit is not None
        else None
    )
    reach = kept_reach if content.reach is UNSET else content.reach
    if content.links is not UNSET:
        links = list(content.links or [])
    else:
        links = link_entries(current.links) if current else []
    return attendance, reach, links


async def publish_version(
    session: AsyncSession,
    activity: Activity,
    content: RecapContent,
    *,
    author_id: uuid.UUID | None,
    note: str | None,
    now: datetime,
) -> ActivityRecapVersion | None:
    """Check the content and add it as the next version (None when it repeats the current
    version word for word: nothing to keep)."""
    current = await current_version(session, activity)
    attendance, reach, links = _merged(activity, current, content)
    errors = required_text(content.summary, "summary", SUMMARY_LIMIT)
    errors += check_length(note, "note", NOTE_LIMIT)
    errors += check_figures(activity.kind, attendance, reach)
    errors += check_links(links)
    if errors:
        raise InvalidInput(*errors)
    summary, note = content.summary.strip(), (note or "").strip() or None
    reach_count, reach_unit = (reach.count, reach.unit) if reach else (None, None)
    values: dict[str, Any] = {
        "summary": summary,
        "attendance": attendance,
        "reach": reach_count,
        "reach_unit": reach_unit,
        "links": link_dicts(links),
    }
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return None
    version = ActivityRecapVersion(
        activity_id=activity.id,
        number=(current.number + 1) if current else 1,
        note=note,
        published_by_id=author_id,
        published_at=now,
        **values,
    )
    session.add(version)
    activity.recap_summary = summary
    activity.actual_attendance = attendance
    activity.reach, activity.reach_unit = reach_count, reach_unit
    activity.recap_published_at = activity.recap_published_at or now
    activity.updated_at = now
    await session.flush()
    return version


def without_link(current: ActivityRecapVersion, url: str) -> list[LinkEntry]:
    """The current recap's links but those at ``url``; NOT_FOUND when it has none there."""
    wanted = url.strip()
    links = link_entries(current.links)
    kept = [link for link in links if link.url != wanted]
    if len(kept) == len(links):
        raise InvalidInput(FieldError("url", ErrorCode.NOT_FOUND, "The recap has no such link"))
    return kept


async def links_of(reader: Reader, activity: Activity) -> list[LinkEntry]:
    """The activity's links in the order they were given, then the current recap's links
    that are not among them."""
    rows: list[ActivityLink] = await reader.loaders.of(links_by_activity).load(activity.id)
    links = [LinkEntry(kind=row.kind, url=row.url, title=row.title) for row in rows]
    recap: ActivityRecapVersion | None = await reader.loaders.of(current_recap_by_activity).load(
        activity.id
    )
    if recap is not None:
        known = {(link.kind, link.url) for link in links}
        links += [link for link in link_entries(recap.links) if (link.kind, link.url) not in known]
    return links
