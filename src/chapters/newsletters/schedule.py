"""A column's schedule: issues fall due every week, two weeks or month from its first issue's
date, and an issue covers the days before its date: the 7 (weekly) or 14 (biweekly) days up to
the day before, or (monthly) the calendar month before.

The next issue is the first one due whose period starts after the latest issue's period
ended (the column's first issue when it has none), numbered after the latest issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chapters.models.content import Cadence

STEP_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}


@dataclass(frozen=True)
class ScheduledIssue:
    number: int
    period_start: date
    period_end: date
    due_on: date


def _add_months(day: date, months: int, anchor_day: int) -> date:
    """``day`` moved by ``months``, on ``anchor_day`` or the month's last day if shorter."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    first_of_next = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last = (first_of_next - timedelta(days=1)).day
    return date(year, month + 1, min(anchor_day, last))


def due_date(cadence: Cadence, first_issue_on: date, index: int) -> date:
    """The date the ``index``-th issue (0: the first) of the schedule is due."""
    if cadence is Cadence.MONTHLY:
        return _add_months(first_issue_on, index, first_issue_on.day)
    return first_issue_on + timedelta(days=STEP_DAYS[cadence] * index)


def period_of(cadence: Cadence, due_on: date) -> tuple[date, date]:
    """The days an issue due on ``due_on`` covers (inclusive)."""
    if cadence is Cadence.MONTHLY:
        end = due_on.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    return due_on - timedelta(days=STEP_DAYS[cadence]), due_on - timedelta(days=1)


def _first_index_after(cadence: Cadence, first_issue_on: date, covered_until: date) -> int:
    """The first issue index whose period starts after ``covered_until``."""
    if cadence is Cadence.MONTHLY:
        months = (covered_until.year - first_issue_on.year) * 12
        index = max(0, months + covered_until.month - first_issue_on.month - 1)
    else:
        index = max(0, (covered_until - first_issue_on).days // STEP_DAYS[cadence])
    while period_of(cadence, due_date(cadence, first_issue_on, index))[0] <= covered_until:
        index += 1
    return index


def next_issue(
    cadence: Cadence, first_issue_on: date, latest: tuple[int, date] | None
) -> ScheduledIssue:
    """The column's next issue; ``latest``: the latest issue's number and period end."""
    if latest is None:
        number, index = 1, 0
    else:
        number, index = latest[0] + 1, _first_index_after(cadence, first_issue_on, latest[1])
    due_on = due_date(cadence, first_issue_on, index)
    start, end = period_of(cadence, due_on)
    return ScheduledIssue(number=number, period_start=start, period_end=end, due_on=due_on)
