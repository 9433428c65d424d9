"""The quarterly report page: rendered from a hand-built ``QuarterlyReport`` (every figure
below is written here, and the page must show each one, in its tables and on its charts,
escaped when it is user input, and load nothing from anywhere), then over HTTP for the
hand-written past of ``test_definitions`` (figures worked out there), with its errors."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from xml.etree import ElementTree

from chapters.insight import periods
from chapters.insight.figures import (
    ChapterHealthRow,
    CohortRow,
    Count,
    FiredRule,
    HealthStatus,
    MetricPoint,
    Period,
    QuarterlyReport,
    TopContributor,
)
from chapters.insight.report import render_quarterly_report

Q3 = Period(date(2026, 7, 1), date(2026, 10, 1), "2026-Q3")
HOSTILE = "Hangzhou <script>alert(1)</script>"
SHOUTY = 'Ann "<b>" Li'
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
HEALTH_HEADERS = [
    "Chapter",
    "Status",
    "Members",
    "Active",
    "New",
    "Churned",
    "Reactivated",
    "Retention",
    "Recaps",
    "Last activity",
    "Lead for",
]
MONTH_HEADERS = [
    "Month",
    "Active",
    "New",
    "Churned",
    "Reactivated",
    "Activities",
    "Accepted",
    "Cancelled",
    "Attendance",
]
CHART_TITLES = [
    "Active members and churn per chapter",
    "Activities by kind per month",
    "Retention cohorts",
    "Recap compliance per chapter",
    "Top contributors",
]


def _chapter(name: str, **figures: object) -> ChapterHealthRow:
    values: dict[str, object] = {
        "chapter_id": uuid.uuid4(),
        "chapter_name": name,
        "chapter_slug": name.split()[0].lower(),
        "period": Q3,
        "reactivated_members": 0,
        "activities_by_kind": [],
        "activities_by_status": [],
        "accepted_activities": 0,
        "cancelled_activities": 0,
        "recaps_due": 0,
        "recaps_published": 0,
        "recap_compliance": None,
        "last_activity_at": None,
        "days_since_last_activity": None,
        "lead_id": None,
        "lead_since": None,
        "lead_tenure_days": None,
        "fired_rules": [],
    }
    return ChapterHealthRow(**(values | figures))  # type: ignore[arg-type]


def _month(number: int, *figures: int, kinds: dict[str, int]) -> MetricPoint:
    active, new, churned, reactivated, activities, accepted, cancelled, attendance = figures
    return MetricPoint(
        period=Period(date(2026, number, 1), date(2026, number + 1, 1), f"2026-{number:02d}"),
        chapter_id=None,
        active=active,
        new=new,
        churned=churned,
        reactivated=reactivated,
        activities=activities,
        accepted_activities=accepted,
        cancelled_activities=cancelled,
        attendance=attendance,
        activities_by_kind=[Count(key, count) for key, count in kinds.items()],
    )


def hand_built_report() -> QuarterlyReport:
    return QuarterlyReport(
        tenant_name="Open Source Chapters",
        quarter=Q3,
        generated_at=datetime(2026, 10, 2, 8, 30, tzinfo=UTC),
        rules={
            "inactive_after_days": 90.0,
            "at_risk_after_days": 60.0,
            "min_recap_compliance": 0.8,
        },
        chapters=[
            _chapter(
                "Chengdu",
                members=4,
                active_members=1,
                new_members=0,
                churned_members=3,
                retention=0.25,
                status=HealthStatus.DORMANT_CANDIDATE,
                fired_rules=[
                    FiredRule(
                        "dormant_after_days",
                        HealthStatus.DORMANT_CANDIDATE,
                        180.0,
                        547.0,
                        "No accepted activity for 547 days",
                    ),
                    FiredRule("lead_required", HealthStatus.AT_RISK, 1.0, None, "No lead"),
                ],
            ),
            _chapter(
                HOSTILE,
                members=17,
                active_members=14,
                new_members=4,
                churned_members=1,
                reactivated_members=2,
                retention=2 / 3,
                recaps_due=3,
                recaps_published=2,
                recap_compliance=2 / 3,
                last_activity_at=datetime(2026, 9, 20, 12, tzinfo=UTC),
                days_since_last_activity=11,
                lead_tenure_days=302,
                status=HealthStatus.NEEDS_ATTENTION,
                fired_rules=[
                    FiredRule(
                        "min_recap_compliance",
                        HealthStatus.NEEDS_ATTENTION,
                        0.8,
                        2 / 3,
                        "Recaps published for 67% of the activities due",
                    )
                ],
            ),
            _chapter(
                "Shenzhen & Co",
                members=25,
                active_members=22,
                new_members=7,
                churned_members=3,
                reactivated_members=1,
                retention=0.8,
                recaps_due=5,
                recaps_published=5,
                recap_compliance=1.0,
                last_activity_at=datetime(2026, 9, 28, 12, tzinfo=UTC),
                days_since_last_activity=3,
                lead_tenure_days=800,
                status=HealthStatus.HEALTHY,
            ),
        ],
        months=[
            _month(7, 41, 6, 3, 2, 9, 8, 1, 230, kinds={"offline_meetup": 7, "online_meetup": 2}),
            _month(8, 37, 4, 5, 1, 6, 5, 1, 140, kinds={"online_meetup": 2, "offline_meetup": 4}),
            _month(9, 45, 9, 2, 3, 2, 2, 0, 60, kinds={"mentoring": 2}),
        ],
        cohorts=[
            CohortRow(
                Period(date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
                12,
                [12, 7, 5],
                [1.0, 7 / 12, 5 / 12],
            ),
            CohortRow(
                Period(date(2026, 4, 1), date(2026, 7, 1), "2026-Q2"), 8, [8, 2], [1.0, 0.25]
            ),
            CohortRow(Q3, 0, [0], [None]),
        ],
        top_contributors=[
            TopContributor(uuid.uuid4(), SHOUTY, 6, 2),
            TopContributor(uuid.uuid4(), "Dan", 4, 0),
            TopContributor(uuid.uuid4(), "Gus", 0, 5),
        ],
    )


# --- reading the page back ----------------------------------------------------------------


class _Tables(HTMLParser):
    """Every table's rows as the text of their cells, under the table's class; the title."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.title = ""
        self.h1 = ""
        self._cell: list[str] | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append((dict(attrs).get("class") or "", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag in ("title", "h1") and self._cell is None:
            self._in = tag
        elif tag in ("br", "li") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in == "title" and not self.title:
            self.title = data
        elif self._in == "h1":
            self.h1 += data


def read_page(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def table(page: str, css_class: str | None = None, index: int = 0) -> list[list[str]]:
    found = [rows for name, rows in read_page(page).tables if css_class in (None, name)]
    return found[index]


@dataclass
class Chart:
    title: str
    legend: list[str]
    # per series, in the order added: (the x label, the value as the chart prints it)
    series: list[list[tuple[str, str]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


SVG = "{http://www.w3.org/2000/svg}"


def charts(page: str) -> list[Chart]:
    return [
        _chart(ElementTree.fromstring(svg)) for svg in re.findall(r"<svg\b.*?</svg>", page, re.S)
    ]


def _chart(root: ElementTree.Element) -> Chart:
    chart = Chart(
        title=root.findtext(f"{SVG}title") or "",
        legend=[
            text.text or "" for text in root.iterfind(f".//{SVG}g[@class='legends']//{SVG}text")
        ],
        texts=[text.text or "" for text in root.iter(f"{SVG}text")],
    )
    series: dict[int, list[tuple[str, str]]] = {}
    for serie in root.iter(f"{SVG}g"):
        found = re.match(r"series serie-(\d+) ", serie.get("class") or "")
        if found is not None:
            series.setdefault(int(found[1]), []).extend(
                (desc(point, "x_label"), desc(point, "value"))
                for point in serie.iter(f"{SVG}g")
                if point.find(f"{SVG}desc[@class='value']") is not None
            )
    chart.series = [series[index] for index in sorted(series)]
    return chart


def desc(point: ElementTree.Element, name: str) -> str:
    return point.findtext(f"{SVG}desc[@class='{name}']") or ""


# --- the page, from a hand-built report ---------------------------------------------------


def test_the_page_names_the_quarter_and_shows_names_as_text() -> None:
    page = render_quarterly_report(hand_built_report())
    read = read_page(page)
    assert read.title == "Quarterly report 2026-Q3 · Open Source Chapters"
    assert read.h1 == "Open Source Chapters: quarterly report 2026-Q3"
    assert "1 July 2026 to 30 September 2026 · 3 chapters" in page
    assert "Generated 2026-10-02 08:30 UTC." in page
    # user input is text, never markup: in the table and on the charts
    assert "<script" not in page and "<b>" not in page
    assert "Hangzhou &lt;script&gt;alert(1)&lt;/script&gt;" in page
    health = table(page, "health")
    assert [row[0] for row in health[1:] if len(row) == 11] == ["Chengdu", HOSTILE, "Shenzhen & Co"]
    members, *_, top = charts(page)
    assert HOSTILE in members.texts and "Shenzhen & Co" in members.texts
    assert SHOUTY in top.texts
    # chapters by status (Chengdu's "at risk" rule is outweighed by its dormancy)
    assert re.findall(r"<li class=\"(\w+)\"><strong>(\d+)</strong>", page) == [
        ("healthy", "1"),
        ("needs_attention", "1"),
        ("at_risk", "0"),
        ("dormant_candidate", "1"),
    ]


def test_the_health_table_has_each_chapters_figures_and_the_rules_that_fired() -> None:
    rows = table(render_quarterly_report(hand_built_report()), "health")
    assert rows == [
        HEALTH_HEADERS,
        [
            "Chengdu",
            "Dormant candidate",
            *("4", "1", "0", "3", "0", "25%"),
            "none due",
            "never",
            "no lead",
        ],
        [
            "No accepted activity for 547 days (dormant_after_days: 547 against 180, dormant"
            " candidate) No lead (lead_required: — against 1, at risk)"
        ],
        [
            HOSTILE,
            "Needs attention",
            *("17", "14", "4", "1", "2", "67%"),
            "2 / 3 (67%)",
            "2026-09-20 11 days before the end",
            "302 days",
        ],
        [
            "Recaps published for 67% of the activities due (min_recap_compliance: 0.67 against"
            " 0.80, needs attention)"
        ],
        [
            "Shenzhen & Co",
            "Healthy",
            *("25", "22", "7", "3", "1", "80%"),
            "5 / 5 (100%)",
            "2026-09-28 3 days before the end",
            "800 days",
        ],
    ]


def test_the_tables_of_months_cohorts_and_rules() -> None:
    page = render_quarterly_report(hand_built_report())
    assert table(page, index=0) == [
        MONTH_HEADERS,
        ["2026-07", "41", "6", "3", "2", "9", "8", "1", "230"],
        ["2026-08", "37", "4", "5", "1", "6", "5", "1", "140"],
        ["2026-09", "45", "9", "2", "3", "2", "2", "0", "60"],
    ]
    assert table(page, index=1) == [
        ["Cohort", "People", "joined", "+1 quarter", "+2 quarters"],
        ["2026-Q1", "12", "12 (100%)", "7 (58%)", "5 (42%)"],
        ["2026-Q2", "8", "8 (100%)", "2 (25%)", ""],
        ["2026-Q3", "0", "0", "", ""],
    ]
    assert table(page, index=3) == [
        ["Rule", "Value"],
        ["inactive_after_days", "90"],
        ["at_risk_after_days", "60"],
        ["min_recap_compliance", "0.80"],
    ]


def test_each_chart_plots_the_reports_values() -> None:
    members, activities, cohorts, recaps, top = charts(render_quarterly_report(hand_built_report()))
    assert [chart.title for chart in (members, activities, cohorts, recaps, top)] == CHART_TITLES

    # horizontal bars are drawn bottom-up: the last chapter first
    assert members.legend == ["Active members", "New members", "Churned members"]
    names = ["Shenzhen & Co", HOSTILE, "Chengdu"]
    assert members.series == [
        list(zip(names, ["22", "14", "1"], strict=True)),
        list(zip(names, ["7", "4", "0"], strict=True)),
        list(zip(names, ["3", "1", "3"], strict=True)),
    ]
    # kinds by their count in the quarter: offline 11, online 4, mentoring 2
    assert activities.legend == ["Offline meetup", "Online meetup", "Mentoring"]
    assert activities.series == [
        [("2026-07", "7"), ("2026-08", "4"), ("2026-09", "0")],
        [("2026-07", "2"), ("2026-08", "2"), ("2026-09", "0")],
        [("2026-07", "0"), ("2026-08", "0"), ("2026-09", "2")],
    ]
    assert cohorts.legend == ["2026-Q1 (12)", "2026-Q2 (8)", "2026-Q3 (0)"]
    assert cohorts.series == [
        [("joined", "100%"), ("+1 quarter", "58%"), ("+2 quarters", "42%")],
        [("joined", "100%"), ("+1 quarter", "25%")],
        [],
    ]
    # Chengdu had no recap due: no bar
    assert recaps.series == [[("Shenzhen & Co", "100%"), (HOSTILE, "67%")]]
    assert top.legend == ["Participations", "Code contributions"]
    assert top.series == [
        [("Gus", "0"), ("Dan", "4"), (SHOUTY, "6")],
        [("Gus", "5"), ("Dan", "0"), (SHOUTY, "2")],
    ]


def test_the_page_loads_nothing_and_runs_nothing() -> None:
    page = render_quarterly_report(hand_built_report())
    assert page.count("<svg") == len(CHART_TITLES)
    for tag in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "src="):
        assert tag not in page, tag
    assert "href=" not in page and "<?xml" not in page
    # the only addresses left are the SVG namespaces, which are names, not loads
    addresses = set(re.findall(r"[a-z]+://[^\s\"'<>]+", page))
    assert addresses == {"http://www.w3.org/2000/svg"}


def test_an_empty_tenant_and_a_quiet_quarter_still_draw_every_chart() -> None:
    report = hand_built_report()
    empty = QuarterlyReport(
        tenant_name="New & Empty",
        quarter=report.quarter,
        generated_at=report.generated_at,
        rules={},
        chapters=[],
        months=[],
        cohorts=[],
        top_contributors=[],
    )
    page = render_quarterly_report(empty)
    drawn = charts(page)
    assert [chart.title for chart in drawn] == CHART_TITLES
    assert all("Nothing in this quarter" in chart.texts for chart in drawn)
    assert "0 chapters" in page and "New &amp; Empty" in page
    assert table(page, "health") == [HEALTH_HEADERS]

    quiet_chapter = _chapter(
        "Quiet",
        members=0,
        active_members=0,
        new_members=0,
        churned_members=0,
        retention=None,
        status=HealthStatus.HEALTHY,
    )
    quiet = QuarterlyReport(
        tenant_name="Quiet",
        quarter=report.quarter,
        generated_at=report.generated_at,
        rules={},
        chapters=[quiet_chapter],
        months=[_month(7, 0, 0, 0, 0, 0, 0, 0, 0, kinds={})],
        cohorts=[CohortRow(Q3, 0, [0], [None])],
        top_contributors=[],
    )
    members, activities, *_ = charts(render_quarterly_report(quiet))
    assert members.series == [[("Quiet", "0")]] * 3
    assert activities.series == [] and "Nothing in this quarter" in activities.texts


# --- over HTTP, for the hand-written past --------------------------------------------------

Q2_REPORT = "/t/{slug}/reports/quarterly?quarter=2025-Q2"


async def test_staff_get_the_quarter_as_a_page_that_loads_nothing(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    for staff in ("ops@x.example", "viewer@x.example"):
        response = await client.get(
            Q2_REPORT.format(slug=tenant.slug),
            headers={"Authorization": f"Bearer {tenant.token(staff)}"},
        )
        assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert read_page(page).title == f"Quarterly report 2025-Q2 · Tenant {tenant.slug}"
    assert "1 April 2025 to 30 June 2025 · 2 chapters" in page
    health = table(page, "health")
    assert health[0] == HEALTH_HEADERS
    # Chengdu: gus, who joined in Q1 but took part only in Q2 (code): no one to retain
    assert health[1] == [
        "Chengdu",
        "Dormant candidate",
        *("1", "1", "0", "0", "0", "—"),
        "none due",
        "never",
        "no lead",
    ]
    # created 2024-01-01 noon, quiet since: 546 whole days to 2025-07-01
    assert (
        "(dormant_after_days: 546" in health[2][0] and "(lead_required: 0 against 1" in health[2][0]
    )
    assert health[3] == [
        "Hangzhou",
        "Needs attention",
        *("7", "4", "1", "1", "1", "67%"),
        "2 / 3 (67%)",
        "2025-05-20 41 days before the end",
        "302 days",
    ]
    assert health[4] == [
        "Recaps published for 67% of the activities due (min_recap_compliance: 0.67 against"
        " 0.80, needs attention)"
    ]
    # April: fay; May: ann cat dan fay; June: fay, gus; eve churned in April and in May
    months = table(page, index=0)
    assert [row[:6] for row in months[1:]] == [
        ["2025-04", "1", "1", "1", "0", "0"],
        ["2025-05", "4", "0", "1", "1", "3"],
        ["2025-06", "2", "0", "0", "0", "2"],
    ]
    assert months[2][8] == "65"  # attendance 40 + 25
    drawn = charts(page)
    assert [chart.title for chart in drawn] == CHART_TITLES
    # public profiles: ann and dan, one talk each in Q2 (gus's code is not public)
    assert drawn[4].series[0] == [("Dan", "1"), ("Ann", "1")]
    assert "<script" not in page and "src=" not in page


async def test_who_may_not_read_it_and_what_is_not_a_quarter(past, client) -> None:
    history, _ = past
    url = Q2_REPORT.format(slug=history.tenant.slug)
    anonymous = await client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json() == {
        "error": "A bearer token is needed for the quarterly report.",
        "status": 401,
    }

    member = await client.get(url, headers={"Authorization": f"Bearer {history.token('ann')}"})
    assert member.status_code == 403
    assert member.json()["error"].startswith("You are not allowed to export")

    ops = {"Authorization": f"Bearer {history.tenant.token('ops@x.example')}"}
    for bad in ("2025-Q5", "Q3", "", "2025-Q3; DROP TABLE people"):
        response = await client.get(url.split("?")[0], params={"quarter": bad}, headers=ops)
        assert response.status_code == 400, bad
        assert response.json() == {
            "error": "Write a quarter as 2026-Q3",
            "status": 400,
            "errors": [{"field": "quarter", "message": "Write a quarter as 2026-Q3"}],
        }
    unknown = await client.get("/t/no-such-tenant/reports/quarterly", headers=ops)
    assert unknown.status_code == 404


async def test_the_quarter_is_the_current_one_unless_asked(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    response = await client.get(
        f"/t/{tenant.slug}/reports/quarterly",
        headers={"Authorization": f"Bearer {tenant.token('ops@x.example')}"},
    )
    assert response.status_code == 200, response.text
    current = periods.current_quarter(datetime.now(UTC).date()).label
    assert read_page(response.text).title == f"Quarterly report {current} · Tenant {tenant.slug}"
