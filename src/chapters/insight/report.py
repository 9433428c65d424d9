"""The quarterly report as one self-contained HTML page: its charts are inline SVG drawn by
pygal, its stylesheet is inline, and it loads nothing from anywhere (no script, font or
image), so it prints, mails and archives as it is, under a policy that forbids any load.

Every text from the data (chapter and people names, rule messages) is user input: the page
escapes it, and pygal's SVG writer escapes the labels it draws. Charts plot the values of the
``QuarterlyReport`` unchanged (shares as fractions, shown as percentages)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from html import escape
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from chapters.insight.figures import (
    ChannelReachRow,
    ChapterHealthRow,
    CohortRow,
    Count,
    HealthStatus,
    MetricPoint,
    Period,
    QuarterlyReport,
    TopContributor,
)

SERIES_COLOURS = ("#3366cc", "#e07b39", "#2a9d8f", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017")
CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#999",
    # fonts of the reader's machine: a web font would be a load the page's policy refuses
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif",
    colors=SERIES_COLOURS,
    guide_stroke_color="#d2d2d7",
    major_guide_stroke_color="#b0b0b8",
    guide_stroke_dasharray="3,3",
    opacity=".85",
    title_font_size=18,
    legend_font_size=13,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    no_data_font_size=24,
)
CHART_WIDTH = 800
BAR_HEIGHT = 18  # per bar of a horizontal chart, so that long lists of chapters stay legible
LABEL_CHARACTERS = 40  # longer names are cut on the charts (whole in their tooltip and tables)

STATUS_LABELS = {
    HealthStatus.HEALTHY: "Healthy",
    HealthStatus.NEEDS_ATTENTION: "Needs attention",
    HealthStatus.AT_RISK: "At risk",
    HealthStatus.DORMANT_CANDIDATE: "Dormant candidate",
}

PAGE_STYLE = """
:root { color: #1d1d1f; background: #fff; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans",
  sans-serif; max-width: 62rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #e5e5ea;
  padding-bottom: .2rem; }
.subtitle, .note { color: #555; margin: 0; }
.note { font-size: .9rem; margin: .3rem 0; }
.statuses { display: flex; flex-wrap: wrap; gap: .6rem; list-style: none; padding: 0;
  margin: 1rem 0; }
.statuses li { border: 1px solid #d2d2d7; border-radius: .5rem; padding: .4rem .8rem; }
.statuses strong { font-size: 1.4rem; margin-right: .35rem; }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #d2d2d7; padding: .3rem .45rem; text-align: left;
  vertical-align: top; }
th { background: #f5f5f7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; border-radius: .3rem; padding: 0 .4rem; font-weight: 600; }
.healthy { background: #d8f3dc; color: #1b4332; }
.needs_attention { background: #fff3bf; color: #5c4400; }
.at_risk { background: #ffd8a8; color: #7a2e00; }
.dormant_candidate { background: #ffc9c9; color: #7a0010; }
.wide { overflow-x: auto; }
table.health { font-size: .85rem; }
table.health th[scope=row] { background: none; overflow-wrap: anywhere; }
tr.fired td { border-top: 0; font-size: .85rem; }
ul.rules { margin: 0; padding-left: 1.1rem; }
.muted { color: #777; }
footer { margin-top: 2rem; color: #777; font-size: .85rem; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section, figure, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""

Number = int | float | None


def render_quarterly_report(report: QuarterlyReport) -> str:
    """The whole page, as a string (UTF-8 when encoded)."""
    title = f"Quarterly report {report.quarter.label} · {report.tenant_name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{PAGE_STYLE}</style></head><body>",
        _header(report),
        _section(
            "members",
            MEMBERS,
            _figure(
                members_chart(report.chapters),
                "Members active in the quarter, newcomers, and those who left or went quiet.",
            ),
        ),
        _section(
            "activities",
            ACTIVITIES,
            _figure(activities_chart(report.months), "Every activity of the tenant, by kind.")
            + _months_table(report.months),
        ),
        _section(
            "retention",
            COHORTS,
            _figure(
                cohorts_chart(report.cohorts),
                "Of the people new in each quarter, the share active in each quarter after.",
            )
            + _cohorts_table(report.cohorts),
        ),
        _section(
            "recaps",
            RECAPS,
            _figure(recaps_chart(report.chapters), _recap_caption(report.rules)),
        ),
        _section(
            "contributors",
            CONTRIBUTORS,
            _figure(
                contributors_chart(report.top_contributors),
                "People with a public profile, by what they did in the quarter.",
            ),
        ),
        _section("health", "Chapter health", _health_table(report.chapters)),
        _section("rules", "Health rules applied", _rules_table(report.rules)),
        _reach_section(report.reach),
        f"<footer>Generated {escape(_moment(report.generated_at))}.</footer>",
        "</body></html>",
    ]
    return "\n".join(parts)


# --- charts -----------------------------------------------------------------------------
# Each is titled by the heading of its section; its SVG carries the title for screen readers.

MEMBERS = "Active members and churn per chapter"
ACTIVITIES = "Activities by kind per month"
COHORTS = "Retention cohorts"
RECAPS = "Recap compliance per chapter"
CONTRIBUTORS = "Top contributors"


def members_chart(chapters: Sequence[ChapterHealthRow]) -> str:
    # pygal lists horizontal bars bottom-up: reversed, the chapters read top-down by name
    rows = list(reversed(chapters))
    series = {
        "Active members": [row.active_members for row in rows],
        "New members": [row.new_members for row in rows],
        "Churned members": [row.churned_members for row in rows],
    }
    top = max((max(values, default=0) for values in series.values()), default=0)
    chart = pygal.HorizontalBar(**_options(len(rows) * 3, _count))
    chart.x_labels = [row.chapter_name for row in rows]
    for title, values in series.items():
        chart.add(title, values)
    _whole_numbers(chart, top)
    return _svg(chart, MEMBERS)


def activities_chart(months: Sequence[MetricPoint]) -> str:
    by_month = [_by_key(point.activities_by_kind) for point in months]
    top = max((sum(counts.values()) for counts in by_month), default=0)
    chart = pygal.StackedBar(**_options(None, _count))
    chart.x_labels = [point.period.label for point in months]
    for kind in _kinds(months):
        chart.add(_humanise(kind), [counts.get(kind, 0) for counts in by_month])
    _whole_numbers(chart, top)
    return _svg(chart, ACTIVITIES)


def cohorts_chart(cohorts: Sequence[CohortRow]) -> str:
    # values printed on eight crossing lines would be unreadable: the table below has them
    options = _options(None, _share) | {"print_values": False}
    chart = pygal.Line(**options, range=(0, 1), dots_size=4, allow_interruptions=True)
    chart.x_labels = _quarters_after(max((len(row.retention) for row in cohorts), default=0))
    for row in cohorts:
        chart.add(f"{row.cohort.label} ({row.size})", list(row.retention))
    return _svg(chart, COHORTS)


def recaps_chart(chapters: Sequence[ChapterHealthRow]) -> str:
    rows = list(reversed(chapters))
    chart = pygal.HorizontalBar(**_options(len(rows), _share), range=(0, 1))
    chart.x_labels = [row.chapter_name for row in rows]
    chart.add("Recaps published / due", [row.recap_compliance for row in rows])
    return _svg(chart, RECAPS)


def contributors_chart(contributors: Sequence[TopContributor]) -> str:
    rows = list(reversed(contributors))  # the first at the top
    top = max((row.participations + row.code_contributions for row in rows), default=0)
    chart = pygal.HorizontalStackedBar(**_options(len(rows), _count))
    chart.x_labels = [row.display_name for row in rows]
    chart.add("Participations", [row.participations for row in rows])
    chart.add("Code contributions", [row.code_contributions for row in rows])
    _whole_numbers(chart, top)
    return _svg(chart, CONTRIBUTORS)


def _options(bars: int | None, formatter: Callable[[Any], str]) -> dict[str, Any]:
    """What every chart shares; its height grows with its number of ``bars`` (if horizontal)."""
    height = 320 if bars is None else max(200, 80 + bars * BAR_HEIGHT)
    return {
        "style": CHART_STYLE,
        "width": CHART_WIDTH,
        "height": height,
        "js": [],  # pygal's tooltips script is fetched from a CDN
        "disable_xml_declaration": True,  # inline in HTML
        "print_values": True,
        "print_zeroes": False,
        "value_formatter": formatter,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "margin_right": 40,  # room for the last x label
        "truncate_legend": -1,
        "truncate_label": LABEL_CHARACTERS,
        "no_data_text": "Nothing in this quarter",
    }


def _svg(chart: Any, title: str) -> str:
    def static(root: ElementTree.Element) -> ElementTree.Element:
        """The chart without pygal's inline script (the page runs none) nor its comments (a
        generation date and links; comments have a function for a tag), named by ``title``."""
        for parent in list(root.iter()):
            for child in list(parent):
                if not isinstance(child.tag, str) or _local_name(child.tag) == "script":
                    parent.remove(child)
                elif parent is root and _local_name(child.tag) == "title":
                    child.text = title
        return root

    chart.add_xml_filter(static)
    rendered: str = chart.render(is_unicode=True)
    return rendered


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _whole_numbers(chart: Any, top: int) -> None:
    """Ticks at whole numbers on a chart of counts, if it draws any (pygal fails on ticks
    without data)."""
    if any(values for values, _ in chart.raw_series):
        chart.y_labels = _ticks(top)


def _ticks(top: int) -> list[int]:
    """Whole numbers from 0 past ``top``, at most a dozen: counts have no fractions."""
    step = next(
        step
        for magnitude in (10**e for e in range(12))
        for step in (magnitude, 2 * magnitude, 5 * magnitude)
        if top / step <= 10
    )
    return list(range(0, max(top, 1) + step, step))


def _kinds(months: Iterable[MetricPoint]) -> list[str]:
    """Every kind of the quarter, the most frequent first (its colour is the first)."""
    totals: dict[str, int] = {}
    for point in months:
        for count in point.activities_by_kind:
            totals[count.key] = totals.get(count.key, 0) + count.count
    return sorted(totals, key=lambda kind: (-totals[kind], kind))


def _by_key(counts: Iterable[Count]) -> dict[str, int]:
    return {count.key: count.count for count in counts}


def _quarters_after(n: int) -> list[str]:
    return ["joined"] + [f"+{k} quarter{'s' if k > 1 else ''}" for k in range(1, n)]


def _count(value: Number) -> str:
    return "" if value is None else _number(value)


def _share(value: Number) -> str:
    return "" if value is None else f"{value:.0%}"


# --- page parts -------------------------------------------------------------------------


def _header(report: QuarterlyReport) -> str:
    counts = {status: 0 for status in HealthStatus}
    for row in report.chapters:
        counts[row.status] += 1
    statuses = "".join(
        f'<li class="{status.value}"><strong>{counts[status]}</strong>{STATUS_LABELS[status]}</li>'
        for status in HealthStatus
    )
    return (
        f"<header><h1>{escape(report.tenant_name)}: quarterly report "
        f"{escape(report.quarter.label)}</h1>"
        f'<p class="subtitle">{escape(_span(report.quarter))} · '
        f"{len(report.chapters)} chapter{'' if len(report.chapters) == 1 else 's'}</p>"
        f'<ul class="statuses" aria-label="Chapters by health">{statuses}</ul></header>'
    )


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _recap_caption(rules: dict[str, float]) -> str:
    caption = "Recaps published of those due in the quarter; no bar: no recap was due."
    minimum = rules.get("min_recap_compliance")
    if minimum is not None:
        caption += f" The tenant expects at least {minimum:.0%}."
    return caption


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric_from: int,
    css_class: str | None = None,
) -> str:
    """``rows`` hold HTML already escaped; columns from ``numeric_from`` on are numbers."""
    head = "".join(
        f'<th{" class=n" if i >= numeric_from else ""} scope="col">{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if i >= numeric_from else ''}>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    opening = "<table>" if css_class is None else f'<table class="{css_class}">'
    return f"{opening}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _months_table(months: Sequence[MetricPoint]) -> str:
    headers = ["Month", "Active", "New", "Churned", "Reactivated", "Activities"]
    headers += ["Accepted", "Cancelled", "Attendance"]
    rows = [
        [
            escape(point.period.label),
            *(
                _number(value)
                for value in (
                    point.active,
                    point.new,
                    point.churned,
                    point.reactivated,
                    point.activities,
                    point.accepted_activities,
                    point.cancelled_activities,
                    point.attendance,
                )
            ),
        ]
        for point in months
    ]
    return _table(headers, rows, numeric_from=1)


def _cohorts_table(cohorts: Sequence[CohortRow]) -> str:
    width = max((len(row.retained) for row in cohorts), default=0)
    headers = ["Cohort", "People", *_quarters_after(width)]
    rows = [
        [
            escape(row.cohort.label),
            _number(row.size),
            *(_retained(row, k) for k in range(width)),
        ]
        for row in cohorts
    ]
    return _table(headers, rows, numeric_from=1)


def _retained(row: CohortRow, k: int) -> str:
    if k >= len(row.retained):
        return ""
    share = row.retention[k]
    if share is None:
        return _number(row.retained[k])
    return f"{row.retained[k]} <span class=muted>({share:.0%})</span>"


def _health_table(chapters: Sequence[ChapterHealthRow]) -> str:
    """One row of figures per chapter, and under it the rules that fired, if any."""
    headers = ["Chapter", "Status", "Members", "Active", "New", "Churned", "Reactivated"]
    headers += ["Retention", "Recaps", "Last activity", "Lead for"]
    head = "".join(
        f'<th{" class=n" if 2 <= i <= 7 else ""} scope="col">{h}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(_health_rows(row, len(headers)) for row in chapters)
    return (
        f'<div class="wide"><table class="health"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _health_rows(row: ChapterHealthRow, columns: int) -> str:
    figures = [
        row.members,
        row.active_members,
        row.new_members,
        row.churned_members,
        row.reactivated_members,
    ]
    cells = [
        f'<td><span class="status {row.status.value}">{STATUS_LABELS[row.status]}</span></td>',
        *(f"<td class=n>{_number(value)}</td>" for value in figures),
        f"<td class=n>{_percent(row.retention)}</td>",
        f"<td>{_recaps(row)}</td>",
        f"<td>{_last_activity(row)}</td>",
        f"<td>{_tenure(row)}</td>",
    ]
    span = ' rowspan="2"' if row.fired_rules else ""
    first = f'<tr><th scope="row"{span}>{escape(row.chapter_name)}</th>{"".join(cells)}</tr>'
    if not row.fired_rules:
        return first
    return f'{first}<tr class="fired"><td colspan="{columns - 1}">{_fired(row)}</td></tr>'


def _fired(row: ChapterHealthRow) -> str:
    items = "".join(
        f"<li>{escape(rule.message)} <span class=muted>({escape(rule.rule)}: "
        f"{_figure_text(rule.value)} against {_figure_text(rule.threshold)}, "
        f"{STATUS_LABELS[rule.status].lower()})</span></li>"
        for rule in row.fired_rules
    )
    return f'<ul class="rules" aria-label="Rules that fired">{items}</ul>'


def _tenure(row: ChapterHealthRow) -> str:
    if row.lead_tenure_days is None:
        return '<span class="muted">no lead</span>'
    return f"{row.lead_tenure_days} days"


def _recaps(row: ChapterHealthRow) -> str:
    if row.recap_compliance is None:
        return '<span class="muted">none due</span>'
    return f"{row.recaps_published} / {row.recaps_due} ({row.recap_compliance:.0%})"


def _last_activity(row: ChapterHealthRow) -> str:
    if row.last_activity_at is None:
        return '<span class="muted">never</span>'
    days = row.days_since_last_activity
    ago = "" if days is None else f"<br><span class=muted>{days} days before the end</span>"
    return f"{row.last_activity_at.date().isoformat()}{ago}"


REACH = "Reach by channel"
REACH_NOTE = (
    "How much each figure of the channel's publications grew within the month (readings are "
    "cumulative totals: the month's last reading less the one before it), and how many "
    "publications appeared on it that month. Months without either are left out."
)


def _reach_section(reach: Sequence[ChannelReachRow] | None) -> str:
    """Per channel and month; nothing at all for readers who may not see reach."""
    if reach is None:
        return ""
    headers = ["Month", "Channel", "Publications", "Reads", "Views", "Likes", "Followers gained"]
    rows = [
        [
            escape(row.month),
            escape(row.channel_name),
            *(
                _number(value)
                for value in (
                    row.publications,
                    row.reads,
                    row.views,
                    row.likes,
                    row.followers_gained,
                )
            ),
        ]
        for row in reach
    ]
    table = _table(headers, rows, numeric_from=2, css_class="reach")
    note = f'<p class="note">{escape(REACH_NOTE)}</p>'
    if not rows:
        note += '<p class="note">No reach was read in this quarter.</p>'
    return _section("reach", REACH, note + table)


def _rules_table(rules: dict[str, float]) -> str:
    rows = [[f"<code>{escape(name)}</code>", _figure_text(value)] for name, value in rules.items()]
    return _table(["Rule", "Value"], rows, numeric_from=1)


# --- values -----------------------------------------------------------------------------


def _number(value: Number) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else str(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _figure_text(value: float | None) -> str:
    """A rule's threshold or value: days as whole numbers, shares to two decimals."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _span(period: Period) -> str:
    last = period.ends_on - timedelta(days=1)  # the period ends before ends_on
    return f"{_day(period.starts_on)} to {_day(last)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _humanise(key: str) -> str:
    return key.replace("_", " ").capitalize()
