"""Periods the figures are computed over: a quarter ("2026-Q3"), a month, or any range of
days, and the series of months or quarters that cover a range."""

from __future__ import annotations

import re
from datetime import date, timedelta

from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.insight.figures import Granularity, Period

QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")
MAX_SERIES_PERIODS = 120  # ten years of months


def quarter(label: str, field: str = "quarter") -> Period:
    match = QUARTER_PATTERN.match(label.strip())
    if match is None or not 1970 <= int(match[1]) <= 2999:
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Write a quarter as 2026-Q3"))
    year, number = int(match[1]), int(match[2])
    starts_on = date(year, 3 * number - 2, 1)
    return Period(starts_on, add_months(starts_on, 3), f"{year}-Q{number}")


def current_quarter(today: date) -> Period:
    return quarter(f"{today.year}-Q{(today.month - 1) // 3 + 1}")


def days(starts_on: date, ends_on: date, field: str = "period") -> Period:
    """``[starts_on, ends_on)``."""
    if ends_on <= starts_on:
        raise InvalidInput(FieldError(f"{field}.to", ErrorCode.INVALID, "End after the start"))
    if (ends_on - starts_on).days > 366 * 10:
        raise InvalidInput(FieldError(f"{field}.to", ErrorCode.INVALID, "At most ten years"))
    last_day = ends_on - timedelta(days=1)
    return Period(starts_on, ends_on, f"{starts_on.isoformat()}..{last_day.isoformat()}")


def previous(period: Period) -> Period:
    """The period of the same length just before (a quarter's previous quarter)."""
    match = QUARTER_PATTERN.match(period.label)
    if match is not None:
        return quarter(_shift_label(int(match[1]), int(match[2]), -1))
    length = period.ends_on - period.starts_on
    return days(period.starts_on - length, period.starts_on)


def following(period: Period) -> Period:
    """The period of the same length just after (a quarter's next quarter)."""
    match = QUARTER_PATTERN.match(period.label)
    if match is not None:
        return quarter(_shift_label(int(match[1]), int(match[2]), 1))
    length = period.ends_on - period.starts_on
    return Period(period.ends_on, period.ends_on + length, "")


def _shift_label(year: int, number: int, by: int) -> str:
    index = year * 4 + number - 1 + by
    return f"{index // 4}-Q{index % 4 + 1}"


def truncate(day: date, granularity: Granularity) -> date:
    month = day.month if granularity is Granularity.MONTH else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def series(span: Period, granularity: Granularity, field: str = "period") -> list[Period]:
    """The months or quarters that meet ``span``, whole (the first and last may reach out)."""
    step = 1 if granularity is Granularity.MONTH else 3
    start = truncate(span.starts_on, granularity)
    periods: list[Period] = []
    while start < span.ends_on:
        end = add_months(start, step)
        periods.append(Period(start, end, label(start, granularity)))
        start = end
        if len(periods) > MAX_SERIES_PERIODS:
            raise InvalidInput(
                FieldError(field, ErrorCode.INVALID, f"At most {MAX_SERIES_PERIODS} periods")
            )
    return periods


def label(start: date, granularity: Granularity) -> str:
    if granularity is Granularity.MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
