"""The time scalars, and the one rule for every datetime argument of the schema.

A ``DateTime`` names an instant, so it must carry its UTC offset (``2026-03-14T19:00:00+08:00``
or ``…Z``): a value without one is refused when the request is read, with a message that says
to add it, wherever it appears (mutation inputs, filters, arguments; as a variable or inline).
Nothing downstream ever guesses a timezone. Instants are returned in UTC; activities also give
their times on their own clock (``Activity.startsAtLocal``).

A ``Date`` is a calendar day. Where one bounds times (``startsOn``, ``chapterCalendar``'s
``fromDate``/``toDate``) it is read in the chapter's timezone (``chapters.times``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

NEEDS_OFFSET = (
    'Value cannot represent a DateTime: "{value}". Add a UTC offset, e.g. "{example}" '
    '(or "Z" for UTC): a time without one could be read in more than one timezone.'
)


def parse_datetime(value: object) -> datetime:
    """A DateTime as strawberry reads it, refused without a UTC offset, or when its instant
    in UTC falls outside the years 1 to 9999 (``9999-12-31T23:59:59-14:00``): the database
    driver could not send it."""
    parse = DateTimeDefinition.parse_value
    assert parse is not None  # strawberry's DateTime reads ISO 8601
    parsed: datetime = parse(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        example = parsed.replace(microsecond=0).isoformat() + "+08:00"
        raise StrawberryInputCoercionError(NEEDS_OFFSET.format(value=value, example=example))
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        raise StrawberryInputCoercionError(
            f"Value cannot represent a DateTime: {value!r}. Out of range."
        ) from None
    return parsed


def serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


DATETIME = dataclasses.replace(
    DateTimeDefinition,
    description="An instant: ISO 8601 date and time with its UTC offset, such as "
    "2026-03-14T19:00:00+08:00 or 2026-03-14T11:00:00Z. Inputs without an offset are refused. "
    "Returned in UTC (activities also give their local times, e.g. Activity.startsAtLocal).",
    parse_value=parse_datetime,
    serialize=serialize_datetime,
)

DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar day, ISO 8601 (2026-03-14). Where a Date bounds times it is read "
    "in the chapter's timezone (see each field).",
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: DATETIME, date: DATE}
