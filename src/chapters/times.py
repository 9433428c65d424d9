"""Times on a clock: the activity's local rendering of an instant, and calendar days of a
chapter turned into the instants that bound them (the rule is in ``chapters.api.scalars``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def local_iso(instant: datetime | None, timezone: str) -> str | None:
    """The instant on the clock of ``timezone``, ISO 8601 with that clock's offset."""
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(timezone)).isoformat()


def start_of_day(day: date, timezone: str) -> datetime:
    """Midnight of ``day`` in ``timezone``, in UTC (the ends of the calendar clamp)."""
    try:
        return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
    except OverflowError:
        return EARLIEST if day.year == 1 else LATEST


def day_after(day: date, timezone: str) -> datetime:
    """Midnight after ``day`` in ``timezone``: the exclusive end of the day, in UTC."""
    if day == date.max:
        return LATEST
    return start_of_day(day + timedelta(days=1), timezone)


def days(first: date | None, last: date | None, timezone: str) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the end of ``last`` (both days included,
    either open) on the clock of ``timezone``."""
    start = start_of_day(first, timezone) if first is not None else EARLIEST
    end = day_after(last, timezone) if last is not None else LATEST
    return start, end
