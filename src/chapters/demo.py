"""The demo data behind ``make run``: tenant ``demo`` and a second tenant ``acme``.

The ``demo`` tenant tells a story the API can answer: a user committee with a past term, five
city chapters (two of them under a regional chapter) and three years of membership history —
a lead handover in Hangzhou in June 2024, members leaving Chengdu in the third quarter of 2026
before it went dormant. Dates are fixed, so the README's questions keep their answers.

Chapters and memberships go through the services, as the tenant's admin, so the data obeys the
API's rules and leaves the same history and audit rows; ``at=`` backdates each membership change
to its day. Committees have no service yet and are written as rows.

The ``demo`` tenant also keeps an activity ledger for the year around today (December 2025 to
January 2027): organisations it works with, a mentoring program with its projects, and
activities of every kind in every state of review. Each activity is replayed through the
services as it happened: created and submitted by the lead of its chapter, reviewed by central
ops, cancelled or recapped by the lead, each step audited under its mutation's name.

Every record time is dated too (``Clock``): the services stamp what they write with the time
of writing, so after each step of the story the rows it wrote get the step's day — a
membership the day it began, an activity written up weeks before it takes place, submitted a
few days later, reviewed a few days after that and recapped once it ended; the review queue
then has an order. Steps a fixed date would put in the future happen just before seeding.

Idempotent: the accounts are ensured on every run; the rest of a tenant's content is written
once, in one transaction, when the tenant's first demo chapter does not exist yet, and the
ledger likewise when the tenant has no activity yet (so a database seeded before the ledger
existed gets it too). The accounts are documented in the README.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chapters import authz
from chapters.activities import lifecycle, recaps, schedule
from chapters.activities.service import (
    ActivityFields,
    LinkEntry,
    OrganisationEntry,
    ParticipantEntry,
    create_activity,
    update_activity,
)
from chapters.audit.recorder import audited
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.local_chapters.service import (
    ChapterFields,
    change_status,
    create_chapter,
    find_by_slug,
)
from chapters.memberships.service import (
    appoint_lead,
    change_role,
    invite_by_email,
    join,
    remove,
)
from chapters.mentoring import service as mentoring
from chapters.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Base,
    Chapter,
    ChapterMembership,
    ChapterRole,
    ChapterStatus,
    Committee,
    CommitteeKind,
    CommitteeSeat,
    LinkKind,
    MembershipStatus,
    MentoringProgram,
    MentoringProject,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    ParticipantRole,
    Person,
    PersonSegment,
    ProjectStatus,
    RelationshipKind,
    RelationshipStatus,
    SeatRole,
    TenantRole,
)
from chapters.organisations import service as organisations
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal
from chapters.tenancy import bound_tenant
from chapters.tenants.admin import ensure_tenant


@dataclass(frozen=True)
class DemoAccount:
    tenant: str
    email: str
    display_name: str
    tenant_role: TenantRole | None
    description: str


DEMO_TENANTS = {
    "demo": ("Demo Cloud Native Community", "Asia/Shanghai", "zh-CN"),
    "acme": ("Acme Open Source Community", "Europe/Berlin", "en"),
}

DEMO_ACCOUNTS = [
    DemoAccount("demo", "admin@demo.example", "Ada Admin", TenantRole.ADMIN, "tenant admin"),
    DemoAccount("demo", "ops@demo.example", "Oscar Ops", TenantRole.OPS, "central ops"),
    DemoAccount(
        "demo", "lead.shanghai@demo.example", "Li Wei", None, "lead of the Shanghai chapter"
    ),
    DemoAccount("demo", "member@demo.example", "Mei Chen", None, "chapter member"),
    DemoAccount("acme", "admin@acme.example", "Alex Acme", TenantRole.ADMIN, "acme's admin"),
]

# The account whose staff rights write each tenant's content: admin@<domain>.
ADMIN_KEY = "admin"

LEAD, CO_LEAD, MEMBER = ChapterRole.LEAD, ChapterRole.CO_LEAD, ChapterRole.MEMBER
LEFT = MembershipStatus.LEFT
SEGMENTS = {
    "user": PersonSegment.USER,
    "code": PersonSegment.CODE_CONTRIBUTOR,
    "non-code": PersonSegment.NON_CODE_CONTRIBUTOR,
}


class Profile(NamedTuple):
    key: str  # the email's local part
    name: str
    github: str | None
    city: str
    company: str | None
    segments: str  # space-separated keys of SEGMENTS
    tags: str  # space-separated


class ChapterSpec(NamedTuple):
    slug: str
    name: str
    city: str | None
    region: str
    founded: str  # ISO date
    parent: str | None  # slug of a chapter listed earlier
    description: str


class Change(NamedTuple):
    """From this day (10:00 in the tenant's timezone) the person has this role, or has left."""

    on: str
    chapter: str
    person: str
    becomes: ChapterRole | MembershipStatus
    reason: str | None = None


class EmailInvitation(NamedTuple):
    """A lead's invitation of a newcomer by email, still waiting for their first sign-in."""

    chapter: str
    lead: str
    email: str
    display_name: str


class StatusChange(NamedTuple):
    on: str
    chapter: str
    status: ChapterStatus
    reason: str


class Seat(NamedTuple):
    person: str
    role: SeatRole
    starts_on: str
    ends_on: str | None = None


@dataclass(frozen=True)
class CommitteeSpec:
    name: str
    kind: CommitteeKind
    description: str
    seats: list[Seat]


class Rel(NamedTuple):
    kind: str  # a RelationshipKind
    status: str  # a RelationshipStatus
    starts_on: str
    notes: str


class Contact(NamedTuple):
    name: str
    email: str
    title: str


class OrganisationSpec(NamedTuple):
    key: str  # how the activities name it
    name: str
    kind: OrganisationKind
    website: str
    relationships: list[Rel]
    contact: Contact | None
    chapters: str  # space-separated slugs of the chapters it is linked to
    notes: str


class ProgramSpec(NamedTuple):
    name: str
    year: int
    description: str
    applications: tuple[str, str]  # first and last day, ISO dates
    coding: tuple[str, str]


class ProjectSpec(NamedTuple):
    key: str  # how the mentoring activities name it
    title: str
    chapter: str
    repository: str
    mentors: str  # space-separated profile keys
    mentees: str
    status: ProjectStatus
    outcome: str | None = None


class Who(NamedTuple):
    """A person of the tenant taking part in an activity."""

    role: str  # a ParticipantRole
    person: str  # a profile key
    topic: str | None = None


class Guest(NamedTuple):
    """An external participant, known by name only."""

    role: str
    name: str
    affiliation: str
    topic: str | None = None


class Recap(NamedTuple):
    attendance: int
    links: str  # space-separated LinkKinds; the URLs are made from the activity's key
    summary: str


class Fix(NamedTuple):
    """What the organiser changed after review asked for changes, and said on resubmitting."""

    note: str
    venue: str | None = None
    expected: int | None = None
    links: str = ""


class Republish(NamedTuple):
    """A second version of the recap, and why it replaced the first."""

    note: str
    recap: Recap


class Reschedule(NamedTuple):
    """New dates (on the chapter's clock, as long as before) and why."""

    starts: str
    reason: str


@dataclass(frozen=True)
class ActivitySpec:
    """One activity and what happened to it. ``steps``, space-separated, replay its review:
    ``submit``, ``accept``, ``changes`` (review asks for ``review``), ``reply`` (the organiser
    answers in the thread), ``fix`` (the organiser applies ``fix`` and resubmits), ``cancel``
    (for ``cancel``), ``recap`` (publish ``recap``), ``republish`` (a second version of the
    recap), ``reopen`` (ops send it back, for ``reopen``), ``reschedule`` (its lead moves it).
    No steps: a draft."""

    key: str
    chapter: str
    kind: str  # an ActivityKind
    starts: str  # "YYYY-MM-DD HH:MM" on the chapter's clock
    hours: float | None  # None: no end (an article)
    title: str
    steps: str
    venue: str | None = None
    online: str | None = None
    language: str = "zh-CN"
    expected: int | None = None
    tags: str = ""
    co_hosts: str = ""  # space-separated chapter slugs
    organisations: str = ""  # space-separated "organisation-key:role"
    people: tuple[Who | Guest, ...] = ()
    links: str = ""  # space-separated LinkKinds known when it was created
    project: str | None = None  # a ProjectSpec key (mentoring activities)
    review: str | None = None
    reply: str | None = None
    fix: Fix | None = None
    cancel: str | None = None
    recap: Recap | None = None
    republish: Republish | None = None
    reopen: str | None = None
    reschedule: Reschedule | None = None


@dataclass(frozen=True)
class Ledger:
    organisations: list[OrganisationSpec]
    program: ProgramSpec
    projects: list[ProjectSpec]
    activities: list[ActivitySpec]  # in the order they happened
    reviewer: str  # the profile key of the central ops person who reviews


@dataclass(frozen=True)
class TenantContent:
    domain: str
    country: str
    people: list[Profile]
    chapters: list[ChapterSpec]  # parents before their children; the first marks "seeded"
    history: list[Change]
    status_changes: list[StatusChange] = field(default_factory=list)
    committee: CommitteeSpec | None = None
    ledger: Ledger | None = None  # seeded once the tenant has no activity
    invitations: list[EmailInvitation] = field(default_factory=list)  # pending, by email
    public_profiles: frozenset[str] = frozenset()  # profile keys: named on public pages


# fmt: off
DEMO_PEOPLE = [
    Profile("admin",          "Ada Admin",      "ada-admin",    "Shanghai",  "Demo Foundation",      "non-code",      "staff"),
    Profile("ops",            "Oscar Ops",      "oscar-ops",    "Beijing",   "Demo Foundation",      "non-code",      "staff events"),
    Profile("lead.shanghai",  "Li Wei",         "liwei-sh",     "Shanghai",  "Huangpu Cloud",        "user code",     "kubernetes speaker organizer"),
    Profile("member",         "Mei Chen",       "meichen",      "Shanghai",  "Bund Analytics",       "user",          "observability newcomer"),
    Profile("zhang.min",      "Zhang Min",      "zhangmin-oss", "Shanghai",  "Huangpu Cloud",        "code non-code", "maintainer organizer user-committee"),
    Profile("sophie.laurent", "Sophie Laurent", "slaurent",     "Shanghai",  "Lumiere Retail Asia",  "user",          "gitops speaker"),
    Profile("zhao.yang",      "Zhao Yang",      "zhaoyang",     "Shanghai",  "Bund Analytics",       "user code",     "ebpf"),
    Profile("kenji.sato",     "Kenji Sato",     "ksato",        "Tokyo",     "Sakura Mobility",      "code",          "service-mesh"),
    Profile("sun.li",         "Sun Li",         "sunli-dev",    "Shanghai",  None,                   "user",          "student newcomer"),
    Profile("chen.jie",       "Chen Jie",       "chenjie",      "Hangzhou",  "Westlake Software",    "code non-code", "maintainer organizer user-committee"),
    Profile("xu.ming",        "Xu Ming",        "xuming-hz",    "Hangzhou",  "Qiantang Data",        "user code",     "serverless organizer"),
    Profile("lin.xiao",       "Lin Xiao",       "linxiao",      "Hangzhou",  "Westlake Software",    "non-code",      "docs translator"),
    Profile("anna.kowalska",  "Anna Kowalska",  "akowalska",    "Hangzhou",  "Amber Payments",       "user",          "security"),
    Profile("wu.hao",         "Wu Hao",         "wuhao",        "Hangzhou",  "Qiantang Data",        "user",          "storage"),
    Profile("daniel.kim",     "Daniel Kim",     "dkim",         "Seoul",     "Hanriver Games",       "user code",     "wasm"),
    Profile("liu.yang",       "Liu Yang",       "liuyang-cd",   "Chengdu",   "Tianfu Systems",       "user code",     "kubernetes organizer user-committee"),
    Profile("tang.yu",        "Tang Yu",        "tangyu",       "Chengdu",   "Panda Labs",           "non-code",      "design organizer"),
    Profile("he.jun",         "He Jun",         "hejun",        "Shenzhen",  "Tianfu Systems",       "user",          "observability"),
    Profile("maria.gonzalez", "María González", "mgonzalez",    "Madrid",    None,                   "user",          "ai-infra"),
    Profile("deng.chao",      "Deng Chao",      "dengchao",     "Chongqing", "Panda Labs",           "code",          "ebpf"),
    Profile("ravi.patel",     "Ravi Patel",     "rpatel",       "Bengaluru", "Saffron Cloud",        "user",          "gitops"),
    Profile("yang.xue",       "Yang Xue",       "yangxue",      "Chengdu",   "Tianfu Systems",       "user",          "newcomer"),
    Profile("peng.fei",       "Peng Fei",       "pengfei",      "Chengdu",   None,                   "user",          "student"),
    Profile("huang.jing",     "Huang Jing",     "huangjing",    "Guangzhou", "Pearl River Networks", "non-code",      "organizer regional-coordinator"),
    Profile("guo.qiang",      "Guo Qiang",      "guoqiang",     "Guangzhou", "Pearl River Networks", "user code",     "service-mesh organizer user-committee"),
    Profile("emily.wong",     "Emily Wong",     "ewong",        "Guangzhou", "Canton Fintech",       "user non-code", "speaker user-committee"),
    Profile("luo.dan",        "Luo Dan",        "luodan",       "Guangzhou", "Canton Fintech",       "user",          "security"),
    Profile("thomas.muller",  "Thomas Müller",  "tmueller",     "Guangzhou", "Rhein Automotive",     "user",          "edge"),
    Profile("feng.rui",       "Feng Rui",       "fengrui",      "Foshan",    None,                   "user",          "newcomer"),
    Profile("ma.lin",         "Ma Lin",         "malin-sz",     "Shenzhen",  "Nanshan Robotics",     "code",          "maintainer organizer edge"),
    Profile("zheng.hui",      "Zheng Hui",      "zhenghui",     "Shenzhen",  "Shekou Devices",       "user non-code", "organizer venue-host"),
    Profile("ahmed.hassan",   "Ahmed Hassan",   "ahassan",      "Shenzhen",  "Nile Logistics",       "user",          "kubernetes"),
    Profile("xie.na",         "Xie Na",         "xiena",        "Shenzhen",  "Nanshan Robotics",     "code",          "ai-infra"),
    Profile("olivia.brown",   "Olivia Brown",   "obrown",       "Shenzhen",  "Harbour Hardware",     "user",          "docs"),
    Profile("cai.wen",        "Cai Wen",        "caiwen",       "Hong Kong", "Shekou Devices",       "user",          "serverless"),
]

DEMO_CHAPTERS = [
    ChapterSpec("shanghai",    "Shanghai",    "Shanghai",  "East China",      "2023-02-18", None,          "Monthly meetups and hands-on workshops in Shanghai."),
    ChapterSpec("hangzhou",    "Hangzhou",    "Hangzhou",  "East China",      "2023-04-15", None,          "Meetups by the West Lake; strong in serverless and docs."),
    ChapterSpec("chengdu",     "Chengdu",     "Chengdu",   "Southwest China", "2023-06-10", None,          "The community's home in Sichuan."),
    ChapterSpec("south-china", "South China", None,        "South China",     "2023-08-01", None,          "Coordinates the chapters of the Pearl River Delta."),
    ChapterSpec("shenzhen",    "Shenzhen",    "Shenzhen",  "South China",     "2023-08-19", "south-china", "Hardware, edge and robotics meet cloud native."),
    ChapterSpec("guangzhou",   "Guangzhou",   "Guangzhou", "South China",     "2023-09-09", "south-china", "Meetups in Tianhe, often with the Shenzhen chapter."),
]

DEMO_HISTORY = [
    Change("2023-02-18", "shanghai",    "lead.shanghai",  LEAD,    "founding lead"),
    Change("2023-02-18", "shanghai",    "zhang.min",      CO_LEAD, "founding co-lead"),
    Change("2023-03-25", "shanghai",    "member",         MEMBER),
    Change("2023-05-20", "shanghai",    "sophie.laurent", MEMBER),
    Change("2023-09-16", "shanghai",    "kenji.sato",     MEMBER),
    Change("2024-02-24", "shanghai",    "zhao.yang",      MEMBER),
    Change("2024-11-30", "shanghai",    "kenji.sato",     LEFT,    "moved back to Tokyo"),
    Change("2025-03-15", "shanghai",    "sun.li",         MEMBER),

    Change("2023-04-15", "hangzhou",    "chen.jie",       LEAD,    "founding lead"),
    Change("2023-05-13", "hangzhou",    "xu.ming",        MEMBER),
    Change("2023-06-10", "hangzhou",    "lin.xiao",       MEMBER),
    Change("2023-10-21", "hangzhou",    "anna.kowalska",  MEMBER),
    Change("2023-11-04", "hangzhou",    "xu.ming",        CO_LEAD, "runs the meetup programme"),
    Change("2024-03-09", "hangzhou",    "daniel.kim",     MEMBER),
    Change("2024-06-15", "hangzhou",    "xu.ming",        LEAD,    "Chen Jie steps back to co-lead to chair the user committee"),
    Change("2024-08-17", "hangzhou",    "wu.hao",         MEMBER),
    Change("2025-05-24", "hangzhou",    "daniel.kim",     LEFT,    "relocated to Seoul"),
    Change("2026-04-11", "hangzhou",    "daniel.kim",     MEMBER,  "back from Seoul"),

    Change("2023-06-10", "chengdu",     "liu.yang",       LEAD,    "founding lead"),
    Change("2023-06-10", "chengdu",     "tang.yu",        CO_LEAD, "founding co-lead"),
    Change("2023-07-08", "chengdu",     "he.jun",         MEMBER),
    Change("2023-09-02", "chengdu",     "maria.gonzalez", MEMBER),
    Change("2024-01-13", "chengdu",     "deng.chao",      MEMBER),
    Change("2024-04-20", "chengdu",     "ravi.patel",     MEMBER),
    Change("2024-05-18", "chengdu",     "yang.xue",       MEMBER),
    Change("2024-12-14", "chengdu",     "ravi.patel",     LEFT,    "moved to Bengaluru"),
    Change("2025-03-22", "chengdu",     "peng.fei",       MEMBER),
    Change("2026-07-18", "chengdu",     "he.jun",         LEFT,    "moved to Shenzhen"),
    Change("2026-08-22", "chengdu",     "maria.gonzalez", LEFT,    "returned to Madrid"),
    Change("2026-09-12", "chengdu",     "deng.chao",      LEFT,    "moved to Chongqing"),

    Change("2023-08-01", "south-china", "huang.jing",     LEAD,    "regional coordinator"),

    Change("2023-08-19", "shenzhen",    "ma.lin",         LEAD,    "founding lead"),
    Change("2023-08-19", "shenzhen",    "zheng.hui",      CO_LEAD, "founding co-lead"),
    Change("2023-12-02", "shenzhen",    "ahmed.hassan",   MEMBER),
    Change("2024-02-03", "shenzhen",    "cai.wen",        MEMBER),
    Change("2024-06-22", "shenzhen",    "xie.na",         MEMBER),
    Change("2025-01-18", "shenzhen",    "olivia.brown",   MEMBER),
    Change("2025-04-12", "shenzhen",    "cai.wen",        LEFT,    "moved to Hong Kong"),
    Change("2026-08-01", "shenzhen",    "he.jun",         MEMBER,  "moved here from Chengdu"),

    Change("2023-09-09", "guangzhou",   "guo.qiang",      LEAD,    "founding lead"),
    Change("2023-09-09", "guangzhou",   "emily.wong",     MEMBER),
    Change("2023-09-09", "guangzhou",   "huang.jing",     MEMBER),
    Change("2023-10-14", "guangzhou",   "luo.dan",        MEMBER),
    Change("2024-04-13", "guangzhou",   "thomas.muller",  MEMBER),
    Change("2024-09-07", "guangzhou",   "emily.wong",     CO_LEAD, "organised the 2024 summer meetups"),
    Change("2024-11-09", "guangzhou",   "feng.rui",       MEMBER),
]

DEMO_STATUS_CHANGES = [
    StatusChange("2026-10-12", "chengdu", ChapterStatus.DORMANT,
                 "No meetup since June 2026: three members moved away over the summer. "
                 "The leads plan a restart in spring 2027."),
]

DEMO_COMMITTEE = CommitteeSpec(
    "Demo User Committee",
    CommitteeKind.USER_COMMITTEE,
    "Elected by the community's users for two-year terms; the city chapters report to it.",
    [
        Seat("chen.jie",   SeatRole.CHAIR,      "2023-01-01", "2024-12-31"),
        Seat("zhang.min",  SeatRole.CHAIR,      "2025-01-01"),
        Seat("guo.qiang",  SeatRole.VICE_CHAIR, "2025-01-01"),
        Seat("emily.wong", SeatRole.SECRETARY,  "2025-01-01"),
        Seat("chen.jie",   SeatRole.MEMBER,     "2025-01-01"),
        Seat("liu.yang",   SeatRole.MEMBER,     "2025-01-01"),
    ],
)

DEMO_ORGANISATIONS = [
    OrganisationSpec(
        "example-cloud", "Example Cloud Inc.", OrganisationKind.COMPANY, "https://www.example-cloud.example",
        [Rel("co_host", "active", "2025-09-01", "Hosts the Shanghai meetups in its Pudong office."),
         Rel("sponsor", "active", "2026-01-01", "2026 sponsorship: venues, catering and recordings.")],
        Contact("Grace Lin", "grace.lin@example-cloud.example", "Developer Relations Lead"),
        "shanghai shenzhen",
        "Cloud provider; the community's main sponsor in 2026.",
    ),
    OrganisationSpec(
        "zju", "Zhejiang Demo University", OrganisationKind.UNIVERSITY, "https://www.zjdu.example",
        [Rel("co_host", "active", "2026-03-01", "Campus visits with the university's Open Source Club.")],
        Contact("Prof. Wang Lei", "wang.lei@zjdu.example", "Advisor, Open Source Club"),
        "hangzhou",
        "Books lecture halls for us; students join the mentoring program.",
    ),
    OrganisationSpec(
        "cn-training", "Cloud Native Training Co.", OrganisationKind.TRAINING, "https://www.cn-training.example",
        [Rel("partner", "active", "2026-06-01", "Hands-on workshops; exam vouchers for members.")],
        Contact("Zhou Ping", "zhou.ping@cn-training.example", "Partnerships"),
        "shanghai",
        "Runs its classroom in Jing'an; trainers speak at our workshops.",
    ),
    OrganisationSpec(
        "open-source-weekly", "Open Source Weekly", OrganisationKind.MEDIA, "https://www.oss-weekly.example",
        [Rel("partner", "active", "2026-02-01", "Announces our events and reposts recaps.")],
        None,
        "",
        "Media partner: newsletter and podcast network.",
    ),
    OrganisationSpec(
        "nanshan-robotics", "Nanshan Robotics", OrganisationKind.COMPANY, "https://www.nanshan-robotics.example",
        [Rel("prospect", "proposed", "2026-10-01", "Interested in sponsoring the 2027 Shenzhen meetups.")],
        Contact("Qin Yue", "qin.yue@nanshan-robotics.example", "Head of Engineering Culture"),
        "shenzhen",
        "Hosted a lab visit in April 2026; sponsorship talks under way.",
    ),
]

DEMO_PROGRAM = ProgramSpec(
    "Open Source Summer 2026", 2026,
    "Students work on open-source projects for a summer, each with a mentor from a chapter.",
    ("2026-04-01", "2026-05-31"),
    ("2026-07-01", "2026-12-15"),
)

DEMO_PROJECTS = [
    ProjectSpec("k8s-glossary",       "A Chinese glossary for the Kubernetes docs",            "hangzhou", "https://github.com/demo-community/k8s-glossary-zh", "lin.xiao",            "peng.fei", ProjectStatus.COMPLETED,
                "Finished in October: 412 terms reviewed and merged; the docs translators now use it."),
    ProjectSpec("ebpf-dashboard",     "eBPF network observability dashboard",                  "shanghai", "https://github.com/demo-community/ebpf-dashboard",   "zhao.yang zhang.min", "sun.li",   ProjectStatus.IN_PROGRESS),
    ProjectSpec("function-templates", "Serverless function templates for the community site",  "hangzhou", "https://github.com/demo-community/fn-templates",     "xu.ming",             "feng.rui", ProjectStatus.ACCEPTED),
    ProjectSpec("helm-lint",          "Helm chart linting in CI",                              "shanghai", "https://github.com/demo-community/helm-lint",        "lead.shanghai",       "yang.xue", ProjectStatus.FAILED,
                "The student withdrew in August for a full-time internship; the branch is kept for next year."),
]

SHANGHAI_VENUE = "Example Cloud Inc., 18F, 1000 Century Avenue, Pudong"
SHEKOU_VENUE = "Shekou Devices auditorium, 1 Wanghai Road, Shekou"
TIANHE_VENUE = "Pearl River Networks, 20F, 100 Tianhe Road"

DEMO_ACTIVITIES = [
    ActivitySpec("sh-2512-meetup", "shanghai", "offline_meetup", "2025-12-13 14:00", 3, "Shanghai Cloud Native Meetup #31: platform engineering", "submit accept recap republish",
                 venue=SHANGHAI_VENUE, expected=80, tags="platform-engineering kubernetes",
                 organisations="example-cloud:co_host example-cloud:venue",
                 people=(Who("organizer", "lead.shanghai"), Who("speaker", "sophie.laurent", "GitOps at retail scale"),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "Building an internal developer platform")),
                 links="registration",
                 recap=Recap(86, "recording slides photos", "86 people on a cold Saturday; both talks were recorded. Next time: a bigger room."),
                 republish=Republish("Two more names were on the paper sign-in sheet.",
                                     Recap(88, "recording slides photos", "88 people on a cold Saturday; both talks were recorded. Next time: a bigger room."))),
    ActivitySpec("cd-2512-meetup", "chengdu", "offline_meetup", "2025-12-20 14:00", 3, "Chengdu Meetup: Kubernetes in production at Tianfu Systems", "submit accept recap",
                 venue="Tianfu Software Park, Building C, 3F", expected=50, tags="kubernetes production",
                 people=(Who("organizer", "liu.yang"), Who("speaker", "liu.yang", "Five years of clusters at Tianfu Systems"),
                         Who("speaker", "deng.chao", "eBPF for the curious")),
                 recap=Recap(55, "slides photos", "A full house at the software park; the eBPF demo drew most of the questions.")),
    ActivitySpec("hz-2601-meetup", "hangzhou", "offline_meetup", "2026-01-17 14:00", 3, "Hangzhou Serverless Meetup: functions at scale", "submit accept recap",
                 venue="Qiantang Data, 9F, 88 Jiangnan Avenue, Binjiang", expected=60, tags="serverless",
                 people=(Who("organizer", "xu.ming"), Who("speaker", "xu.ming", "Cold starts we did not expect"),
                         Who("speaker", "wu.hao", "Storage for functions")),
                 recap=Recap(64, "recording slides", "Two talks and a long Q&A on cold starts.")),
    ActivitySpec("gz-2601-online", "guangzhou", "online_meetup", "2026-01-22 20:00", 1.5, "Fintech security night (online)", "submit accept recap",
                 online="https://meet.demo.example/guangzhou/security-night", expected=150, tags="security fintech",
                 people=(Who("host", "emily.wong"), Who("speaker", "luo.dan", "Supply-chain security in a bank")),
                 recap=Recap(172, "recording", "172 people joined; the supply-chain checklist is in the recording's notes.")),
    ActivitySpec("cd-2603-online", "chengdu", "online_meetup", "2026-03-05 20:00", 1.5, "Design for developer tools (online)", "submit accept recap",
                 online="https://meet.demo.example/chengdu/design-devtools", expected=80, tags="design ux",
                 people=(Who("host", "liu.yang"), Who("speaker", "tang.yu", "Designing a CLI people enjoy")),
                 recap=Recap(91, "recording slides", "91 people online; the CLI checklist became a docs page.")),
    ActivitySpec("sh-2603-visit", "shanghai", "company_visit", "2026-03-21 14:00", 3, "Visit to Example Cloud's Zhangjiang engineering centre", "submit accept recap",
                 venue="Example Cloud Inc., Zhangjiang engineering centre, Pudong", expected=30, tags="company-visit sre",
                 organisations="example-cloud:co_host example-cloud:sponsor example-cloud:venue",
                 people=(Who("organizer", "zhang.min"), Guest("host", "Grace Lin", "Example Cloud Inc."),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "A day in the life of our SRE team")),
                 recap=Recap(28, "article photos", "28 members toured the operations floor and the on-call room.")),
    ActivitySpec("hz-2603-campus", "hangzhou", "campus_visit", "2026-03-26 19:00", 2, "Open source careers: an evening at Zhejiang Demo University", "submit accept recap",
                 venue="Zhejiang Demo University, Zijingang campus, Lecture Hall 3", expected=150, tags="students careers",
                 organisations="zju:co_host zju:venue",
                 people=(Who("organizer", "chen.jie"), Who("speaker", "chen.jie", "From user to maintainer"),
                         Who("speaker", "lin.xiao", "Translating docs is contributing"),
                         Guest("host", "Prof. Wang Lei", "Zhejiang Demo University")),
                 recap=Recap(168, "slides photos", "168 students came; 23 joined the mentoring program's mailing list.")),
    ActivitySpec("sz-2604-visit", "shenzhen", "company_visit", "2026-04-18 14:00", 3, "Visit to Nanshan Robotics' edge lab", "submit accept recap",
                 venue="Nanshan Robotics, Building 5, Shenzhen Bay Science Park", expected=25, tags="edge robotics company-visit",
                 organisations="nanshan-robotics:venue",
                 people=(Who("organizer", "ma.lin"), Who("speaker", "xie.na", "Scheduling AI workloads on robots")),
                 recap=Recap(24, "photos", "24 members saw robots pull container images over a flaky network.")),
    ActivitySpec("sh-2604-online", "shanghai", "online_meetup", "2026-04-22 20:00", 1.5, "eBPF office hours (online)", "submit accept recap",
                 online="https://meet.demo.example/shanghai/ebpf-office-hours", expected=120, tags="ebpf observability",
                 people=(Who("host", "zhao.yang"), Guest("speaker", "Tomás Rivera", "independent", "Tracing without changing code")),
                 recap=Recap(143, "recording", "143 people online; questions ran 40 minutes past the end.")),
    ActivitySpec("hz-2605-podcast", "hangzhou", "podcast", "2026-05-12 20:00", 1, "Westlake Cloud Talk #3: translating docs for a million readers", "submit accept recap",
                 tags="docs translation", organisations="open-source-weekly:partner",
                 people=(Who("host", "xu.ming"), Who("guest", "lin.xiao")),
                 recap=Recap(1850, "episode", "1,850 plays in the first week; Open Source Weekly reposted the episode.")),
    ActivitySpec("sz-gz-2605-joint", "shenzhen", "offline_meetup", "2026-05-23 13:30", 5, "South China Cloud Native Meetup: edge meets fintech", "submit accept recap",
                 venue=SHEKOU_VENUE, expected=180, tags="edge fintech south-china",
                 co_hosts="guangzhou", organisations="example-cloud:sponsor",
                 people=(Who("organizer", "ma.lin"), Who("organizer", "guo.qiang"), Who("host", "zheng.hui"),
                         Who("speaker", "xie.na", "AI inference at the edge"), Who("speaker", "emily.wong", "Compliance as code"),
                         Guest("speaker", "Aditi Sharma", "Example Cloud Inc.", "Multi-cluster networking")),
                 links="registration",
                 recap=Recap(196, "recording slides photos", "The two chapters' first joint meetup: 196 people, three talks, a coach from Guangzhou.")),
    ActivitySpec("cd-2606-meetup", "chengdu", "offline_meetup", "2026-06-13 14:00", 3, "Chengdu Meetup: summer lightning talks", "submit accept",
                 venue="Panda Labs, 2F, Tianfu Third Street", expected=40, tags="lightning-talks",
                 people=(Who("organizer", "tang.yu"), Who("speaker", "peng.fei", "My first pull request"),
                         Who("speaker", "yang.xue", "Kubernetes for data people"))),
    ActivitySpec("sh-hz-2606-joint", "shanghai", "offline_meetup", "2026-06-20 09:30", 8, "East China Observability Day: Shanghai and Hangzhou", "submit accept recap",
                 venue="West Bund Conference Centre, Xuhui, Shanghai", expected=200, tags="observability opentelemetry east-china",
                 co_hosts="hangzhou", organisations="example-cloud:sponsor open-source-weekly:partner",
                 people=(Who("organizer", "lead.shanghai"), Who("organizer", "xu.ming"),
                         Who("speaker", "member", "My first month with OpenTelemetry"),
                         Who("speaker", "anna.kowalska", "Security signals in traces"),
                         Guest("speaker", "Tomás Rivera", "independent", "Profiling in production")),
                 links="registration",
                 recap=Recap(214, "recording slides photos", "214 people from both cities; all seven talks were recorded.")),
    ActivitySpec("sh-2607-article", "shanghai", "article", "2026-07-08 10:00", None, "What we learned running 35 meetups", "submit accept recap",
                 tags="community organizing", people=(Who("author", "zhang.min"),),
                 recap=Recap(3400, "article", "Read 3,400 times in its first month; Open Source Weekly reposted it.")),
    ActivitySpec("gz-2607-talk", "guangzhou", "talk", "2026-07-15 11:00", 0.75, "Compliance as code: a talk at the Pearl River FinTech Forum", "submit accept recap",
                 venue="Pearl River FinTech Forum, Canton Tower conference centre", language="en", expected=300, tags="talk fintech compliance",
                 people=(Who("speaker", "emily.wong", "Compliance as code"),),
                 recap=Recap(260, "slides recording", "A full room; two banks asked for the policy examples.")),
    ActivitySpec("hz-2608-live", "hangzhou", "live_stream", "2026-08-06 20:00", 1.5, "Live: serverless cold starts, measured", "submit accept recap",
                 online="https://live.demo.example/hangzhou/cold-starts", expected=500, tags="serverless performance",
                 organisations="open-source-weekly:partner",
                 people=(Who("host", "xu.ming"), Who("speaker", "wu.hao", "Benchmarks on three platforms")),
                 recap=Recap(730, "recording", "730 live viewers; the benchmark repository is linked from the recording.")),
    ActivitySpec("sh-2609-mentoring", "shanghai", "mentoring", "2026-09-05 15:00", 1, "Mid-term check-in: eBPF network observability dashboard", "submit accept recap",
                 online="https://meet.demo.example/shanghai/ebpf-dashboard", tags="mentoring ebpf", project="ebpf-dashboard",
                 people=(Who("mentor", "zhao.yang"), Who("mentee", "sun.li")),
                 recap=Recap(6, "recording slides", "Sun Li demoed the flow graph; next comes a storage backend.")),
    ActivitySpec("sh-2609-talk", "shanghai", "talk", "2026-09-12 11:00", 0.75, "Running Kubernetes at Huangpu Cloud: a talk at Cloud Native Days Demo 2026", "submit accept recap",
                 venue="Cloud Native Days Demo 2026, Shanghai Expo Centre", language="en", expected=400, tags="talk kubernetes",
                 people=(Who("speaker", "lead.shanghai", "Running Kubernetes at Huangpu Cloud"),),
                 recap=Recap(380, "slides recording", "380 in the room; the chapter's booth signed up 40 new members.")),
    ActivitySpec("sz-2609-meetup", "shenzhen", "offline_meetup", "2026-09-13 14:00", 3, "Shenzhen Meetup: edge AI on small devices", "submit cancel",
                 venue=SHEKOU_VENUE, expected=90, tags="edge ai",
                 people=(Who("organizer", "zheng.hui"), Who("speaker", "xie.na", "Quantised models on ARM boards")),
                 cancel="Typhoon signal No. 8 was raised the day before; the talks move to January."),
    ActivitySpec("cd-2609-sprint", "chengdu", "other", "2026-09-26 10:00", 6, "Design sprint for the chapter website", "cancel",
                 venue="Panda Labs, 2F, Tianfu Third Street", tags="design website",
                 people=(Who("organizer", "tang.yu"),),
                 cancel="Postponed: with three members gone, the chapter pauses until spring 2027."),
    ActivitySpec("gz-2610-sprint", "guangzhou", "other", "2026-10-10 13:00", 5, "Docs contribution sprint", "submit accept recap",
                 venue="Canton Fintech co-working space, Zhujiang New Town", expected=30, tags="docs contribution",
                 people=(Who("organizer", "huang.jing"), Who("host", "emily.wong")),
                 recap=Recap(27, "photos article", "27 people opened 41 pull requests; 33 were merged by the end of the month.")),
    ActivitySpec("hz-2610-mentoring", "hangzhou", "mentoring", "2026-10-14 19:30", 1, "Final demo: a Chinese glossary for the Kubernetes docs", "submit accept recap",
                 online="https://meet.demo.example/hangzhou/glossary-demo", tags="mentoring docs translation", project="k8s-glossary",
                 people=(Who("mentor", "lin.xiao"), Who("mentee", "peng.fei")),
                 recap=Recap(18, "recording slides", "The glossary is merged; the docs team adopts it from November.")),
    ActivitySpec("sh-2610-workshop", "shanghai", "offline_meetup", "2026-10-17 13:30", 4, "Hands-on Kubernetes workshop with Cloud Native Training Co.", "submit accept reopen fix accept recap",
                 venue="Cloud Native Training Co. classroom, 500 Nanjing West Road, Jing'an", expected=40, tags="workshop kubernetes",
                 organisations="cn-training:co_host cn-training:venue",
                 people=(Who("organizer", "zhang.min"), Guest("speaker", "Zhou Ping", "Cloud Native Training Co.", "Troubleshooting a broken cluster")),
                 reopen="The training company moved the workshop to its Xuhui classroom: please correct the venue.",
                 fix=Fix("Venue corrected to the Xuhui classroom.", venue="Cloud Native Training Co. classroom, 1 Caoxi North Road, Xuhui"),
                 recap=Recap(38, "slides photos", "38 people broke and fixed clusters for four hours; ten won exam vouchers.")),
    ActivitySpec("gz-2610-meetup", "guangzhou", "offline_meetup", "2026-10-24 14:00", 3, "Guangzhou Meetup: service mesh one year on", "submit accept",
                 venue=TIANHE_VENUE, expected=70, tags="service-mesh",
                 people=(Who("organizer", "guo.qiang"), Who("speaker", "guo.qiang", "Sidecars, one year later"),
                         Who("speaker", "thomas.muller", "A mesh inside a car"))),
    ActivitySpec("hz-2610-article", "hangzhou", "article", "2026-10-30 09:00", None, "Serverless in practice: notes from five Hangzhou teams", "submit accept recap",
                 tags="serverless case-study", people=(Who("author", "xu.ming"), Who("author", "lin.xiao")),
                 recap=Recap(2100, "article", "2,100 reads; two of the teams offered to speak in 2027.")),
    ActivitySpec("sz-2611-live", "shenzhen", "live_stream", "2026-11-05 20:00", 1.5, "Live: Kubernetes at the edge", "submit accept",
                 online="https://live.demo.example/shenzhen/k8s-edge", language="en", expected=300, tags="edge kubernetes",
                 people=(Who("host", "olivia.brown"), Who("speaker", "ma.lin", "K3s on a factory floor"),
                         Who("speaker", "ahmed.hassan", "Fleet updates over bad networks"))),
    ActivitySpec("sh-2611-meetup", "shanghai", "offline_meetup", "2026-11-25 19:00", 2.5, "Shanghai Cloud Native Meetup #36: AI infrastructure", "submit accept",
                 venue=SHANGHAI_VENUE, expected=90, tags="ai-infra kubernetes",
                 organisations="example-cloud:venue",
                 people=(Who("organizer", "lead.shanghai"), Who("speaker", "zhao.yang", "GPU scheduling in practice"),
                         Guest("speaker", "Priya Raman", "Example Cloud Inc.", "Serving models on Kubernetes")),
                 links="registration"),
    ActivitySpec("hz-2612-kickoff", "hangzhou", "mentoring", "2026-12-03 19:30", 1, "Kick-off: serverless function templates", "submit",
                 online="https://meet.demo.example/hangzhou/templates-kickoff", tags="mentoring serverless", project="function-templates",
                 people=(Who("mentor", "xu.ming"), Who("mentee", "feng.rui"))),
    ActivitySpec("gz-2612-meetup", "guangzhou", "offline_meetup", "2026-12-05 14:00", 3, "Guangzhou year-end meetup: lightning talks and hot pot", "submit changes fix",
                 venue="Tianhe", expected=120, tags="lightning-talks year-end",
                 people=(Who("organizer", "emily.wong"), Who("speaker", "luo.dan", "Security in five minutes"),
                         Who("speaker", "feng.rui", "My first year in open source")),
                 review="Please give the full address and a registration link. The room you booked last time holds 60: is 120 realistic?",
                 fix=Fix("Full address added, registration is open, and we now expect 60.", venue=TIANHE_VENUE, expected=60, links="registration")),
    ActivitySpec("sz-2612-live", "shenzhen", "live_stream", "2026-12-10 20:00", 1.5, "Live: WebAssembly on robots", "submit",
                 online="https://live.demo.example/shenzhen/wasm-robots", expected=250, tags="wasm edge",
                 people=(Who("host", "zheng.hui"), Who("speaker", "xie.na", "Wasm modules on a robot arm"))),
    ActivitySpec("hz-2612-campus", "hangzhou", "campus_visit", "2026-12-12 13:30", 4, "Open Source Day at Zhejiang Demo University", "submit changes reply",
                 venue="Zhejiang Demo University", expected=200, tags="students campus",
                 organisations="zju:co_host",
                 people=(Who("organizer", "chen.jie"), Guest("host", "Prof. Wang Lei", "Zhejiang Demo University")),
                 review="Which building and room? Please also list the speakers and add the university as the venue.",
                 reply="The university confirms the room on Monday; I will add it and the speakers then."),
    ActivitySpec("hz-2612-podcast", "hangzhou", "podcast", "2026-12-15 20:00", 1, "Westlake Cloud Talk #4: a year of serverless in Hangzhou", "",
                 tags="serverless", people=(Who("host", "xu.ming"), Who("guest", "anna.kowalska"))),
    ActivitySpec("sh-2612-meetup", "shanghai", "offline_meetup", "2026-12-19 14:00", 3, "Shanghai Cloud Native Meetup #37: year-end lightning talks", "submit",
                 venue=SHANGHAI_VENUE, expected=100, tags="lightning-talks year-end",
                 organisations="example-cloud:venue example-cloud:sponsor",
                 people=(Who("organizer", "lead.shanghai"), Who("organizer", "zhang.min")),
                 links="registration"),
    ActivitySpec("sh-2701-kickoff", "shanghai", "other", "2027-01-09 18:00", 3, "2027 kickoff: volunteer dinner and planning", "",
                 tags="volunteers planning", people=(Who("organizer", "zhang.min"),)),
    ActivitySpec("sz-2701-meetup", "shenzhen", "offline_meetup", "2027-01-09 14:00", 3, "Shenzhen Meetup: edge AI on small devices (rescheduled)", "submit reschedule",
                 venue=SHEKOU_VENUE, expected=90, tags="edge ai",
                 people=(Who("organizer", "zheng.hui"), Who("speaker", "xie.na", "Quantised models on ARM boards"),
                         Who("speaker", "he.jun", "Observability on a budget")),
                 links="registration",
                 reschedule=Reschedule("2027-01-16 14:00", "The venue double-booked the 9th; the 16th is confirmed.")),
    # Hangzhou drafts a campus visit that Shanghai co-hosts: Shanghai's leads follow the draft
    # and comment; it still needs its room before it can be submitted.
    ActivitySpec("hz-2701-campus", "hangzhou", "campus_visit", "2027-01-23 14:00", 3, "Open source in the classroom: Hangzhou and Shanghai at Zhejiang Demo University", "",
                 expected=120, tags="students campus", co_hosts="shanghai", organisations="zju:co_host",
                 people=(Who("organizer", "xu.ming"), Who("organizer", "lead.shanghai"),
                         Who("speaker", "zhang.min", "How a city meetup is run"))),
]

DEMO_LEDGER = Ledger(DEMO_ORGANISATIONS, DEMO_PROGRAM, DEMO_PROJECTS, DEMO_ACTIVITIES, reviewer="ops")

ACME_PEOPLE = [
    Profile("admin",        "Alex Acme",    "alex-acme", "Berlin",  "Acme Foundation", "non-code",      "staff"),
    Profile("jonas.weber",  "Jonas Weber",  "jweber",    "Berlin",  "Spree Systems",   "code",          "organizer kubernetes"),
    Profile("lena.fischer", "Lena Fischer", "lfischer",  "Berlin",  "Kiez Data",       "user non-code", "docs organizer"),
    Profile("mateo.rossi",  "Mateo Rossi",  "mrossi",    "Potsdam", None,              "user",          "observability"),
    Profile("aylin.demir",  "Aylin Demir",  "ademir",    "Berlin",  "Spree Systems",   "user code",     "security"),
    Profile("piotr.nowak",  "Piotr Nowak",  "pnowak",    "Warsaw",  "Vistula Cloud",   "user",          "gitops"),
]

ACME_CHAPTERS = [
    ChapterSpec("berlin", "Berlin", "Berlin", "Berlin-Brandenburg", "2022-11-05", None, "Acme's first chapter."),
]

ACME_HISTORY = [
    Change("2022-11-05", "berlin", "jonas.weber",  LEAD,    "founding lead"),
    Change("2022-11-05", "berlin", "lena.fischer", MEMBER),
    Change("2023-02-11", "berlin", "mateo.rossi",  MEMBER),
    Change("2023-06-03", "berlin", "lena.fischer", CO_LEAD),
    Change("2023-09-09", "berlin", "piotr.nowak",  MEMBER),
    Change("2024-04-06", "berlin", "aylin.demir",  MEMBER),
    Change("2025-03-01", "berlin", "piotr.nowak",  LEFT,    "moved to Warsaw"),
]
# fmt: on

CONTENT = {
    "demo": TenantContent(
        domain="demo.example",
        country="CN",
        people=DEMO_PEOPLE,
        chapters=DEMO_CHAPTERS,
        history=DEMO_HISTORY,
        status_changes=DEMO_STATUS_CHANGES,
        committee=DEMO_COMMITTEE,
        ledger=DEMO_LEDGER,
        invitations=[
            EmailInvitation("shanghai", "lead.shanghai", "wang.fang@newcomer.example", "Wang Fang")
        ],
        # Speakers who chose to be named on public event pages; the others stay unnamed there.
        public_profiles=frozenset({"zhang.min", "chen.jie", "xu.ming", "xie.na", "emily.wong"}),
    ),
    "acme": TenantContent(
        domain="acme.example",
        country="DE",
        people=ACME_PEOPLE,
        chapters=ACME_CHAPTERS,
        history=ACME_HISTORY,
    ),
}


async def seed_demo(owner_engine: AsyncEngine, echo=print) -> dict[str, uuid.UUID]:
    """Create the demo tenants, accounts and content; return tenant ids by slug."""
    tenant_ids: dict[str, uuid.UUID] = {}
    for slug, (name, timezone, locale) in DEMO_TENANTS.items():
        tenant_id, created = await ensure_tenant(
            owner_engine, slug=slug, name=name, timezone=timezone, default_locale=locale
        )
        tenant_ids[slug] = tenant_id
        echo(f"  tenant {slug}: {'created' if created else 'already there'}")
    sessionmaker = tenant_sessionmaker(owner_engine)
    for slug, tenant_id in tenant_ids.items():
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            await _seed_tenant(session, slug, CONTENT[slug], echo)
    echo(f"  {len(DEMO_ACCOUNTS)} demo accounts ready")
    return tenant_ids


async def _seed_tenant(session: AsyncSession, slug: str, content: TenantContent, echo) -> None:
    """The accounts, then the content and the ledger, each written only if it is missing."""
    clock = Clock(session)
    await _ensure_accounts(session, slug)
    if await find_by_slug(session, content.chapters[0].slug) is not None:
        echo(f"  {slug}: chapters and history already there")
    else:
        timezone = ZoneInfo(DEMO_TENANTS[slug][1])
        echo(f"  {slug}: {await _seed_content(session, content, timezone, clock)}")
    if content.ledger is None:
        return
    if await session.scalar(select(Activity.id).limit(1)) is not None:
        echo(f"  {slug}: activity ledger already there")
    else:
        echo(f"  {slug}: {await _seed_ledger(session, content, content.ledger, clock)}")
    await clock.stamp(clock.limit)  # what remains undated (accounts ensured again …)


async def _ensure_accounts(session: AsyncSession, tenant: str) -> None:
    for account in DEMO_ACCOUNTS:
        if account.tenant == tenant:
            await ensure_person(
                session,
                email=account.email,
                display_name=account.display_name,
                tenant_role=account.tenant_role,
            )


async def _seed_content(
    session: AsyncSession, content: TenantContent, timezone: ZoneInfo, clock: Clock | None = None
) -> str:
    """Write a tenant's people, committee, chapters and history; return a summary line."""
    clock = clock or Clock(session)
    people = await _ensure_people(session, content)
    await clock.stamp(_at(_first_day(content), timezone) - timedelta(days=30))
    principal = await load_principal(session, people[ADMIN_KEY])
    committee_id = await _ensure_committee(session, content.committee, people)
    if content.committee is not None:
        await clock.stamp(_at(min(seat.starts_on for seat in content.committee.seats), timezone))
    chapters = await _create_chapters(session, principal, content, committee_id, timezone, clock)
    await _replay_history(session, principal, content.history, chapters, people, timezone, clock)
    for change in content.status_changes:
        chapter_id = chapters[change.chapter]
        when = _at(change.on, timezone)
        with audited(
            session, action="chapterChangeStatus", actor_id=principal.person_id, request_id=None
        ):
            await change_status(
                session, principal, chapter_id, change.status, change.reason, at=when
            )
        await clock.stamp(when)
    for invitation in content.invitations:
        lead = await load_principal(session, people[invitation.lead])
        with audited(
            session, action="membershipInviteByEmail", actor_id=lead.person_id, request_id=None
        ):
            await invite_by_email(
                session,
                lead,
                chapters[invitation.chapter],
                invitation.email,
                display_name=invitation.display_name,
            )
    # Pending invitations went out just now: their periods began at the time of seeding.
    await clock.stamp(datetime.now(UTC))
    await _date_people(session, content, people, timezone)
    return (
        f"{len(people)} people, {_count(len(chapters), 'chapter')}, "
        f"{_count(len(content.history), 'membership change')}"
    )


async def _ensure_people(session: AsyncSession, content: TenantContent) -> dict[str, Person]:
    """Fills the profiles only here, on the first run, so later edits in the demo survive."""
    people = {}
    for profile in content.people:
        person = await ensure_person(
            session, email=f"{profile.key}@{content.domain}", display_name=profile.name
        )
        person.display_name = profile.name
        person.github_handle = profile.github
        person.city = profile.city
        person.company = profile.company
        person.segments = [SEGMENTS[key].value for key in profile.segments.split()]
        person.tags = profile.tags.split()
        person.public_profile = profile.key in content.public_profiles
        people[profile.key] = person
    await session.flush()
    return people


async def _ensure_committee(
    session: AsyncSession, spec: CommitteeSpec | None, people: dict[str, Person]
) -> uuid.UUID | None:
    """Committees have no service yet: the rows are written directly, once per name."""
    if spec is None:
        return None
    committee = await session.scalar(select(Committee).where(Committee.name == spec.name))
    if committee is not None:
        return committee.id
    committee = Committee(name=spec.name, kind=spec.kind, description=spec.description)
    session.add(committee)
    await session.flush()
    for seat in spec.seats:
        session.add(
            CommitteeSeat(
                committee_id=committee.id,
                person_id=people[seat.person].id,
                role=seat.role,
                starts_on=date.fromisoformat(seat.starts_on),
                ends_on=date.fromisoformat(seat.ends_on) if seat.ends_on else None,
            )
        )
    await session.flush()
    return committee.id


async def _create_chapters(
    session: AsyncSession,
    principal: Principal,
    content: TenantContent,
    committee_id: uuid.UUID | None,
    timezone: ZoneInfo,
    clock: Clock,
) -> dict[str, uuid.UUID]:
    """Chapters start active on their founding day; a later status is a change with a reason."""
    ids: dict[str, uuid.UUID] = {}
    for spec in content.chapters:
        fields = ChapterFields(
            name=spec.name,
            slug=spec.slug,
            city=spec.city,
            region=spec.region,
            country=content.country,
            timezone=timezone.key,
            description=spec.description,
            founded_on=date.fromisoformat(spec.founded),
            contact_links=[
                {"kind": "website", "url": f"https://{content.domain}/chapters/{spec.slug}"},
                {"kind": "email", "url": f"mailto:{spec.slug}@{content.domain}"},
            ],
            parent_id=ids[spec.parent] if spec.parent else None,
            committee_id=committee_id,
        )
        when = _at(spec.founded, timezone)
        with audited(
            session, action="chapterCreate", actor_id=principal.person_id, request_id=None
        ):
            chapter = await create_chapter(
                session, principal, fields, status=ChapterStatus.ACTIVE, at=when
            )
        await clock.stamp(when)
        ids[spec.slug] = chapter.id
    return ids


async def _replay_history(
    session: AsyncSession,
    principal: Principal,
    history: list[Change],
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
    timezone: ZoneInfo,
    clock: Clock,
) -> None:
    """Applies the changes in date order, each a service call dated by ``at=``: a membership's
    periods only line up if its changes arrive in the order they happened."""
    memberships: dict[tuple[str, str], ChapterMembership] = {}
    for change in sorted(history, key=lambda c: c.on):
        when = _at(change.on, timezone)
        action = _membership_action(change, memberships.get((change.chapter, change.person)))
        with audited(session, action=action, actor_id=principal.person_id, request_id=None):
            await _apply_change(session, principal, change, when, chapters, people, memberships)
        await clock.stamp(when)


def _membership_action(change: Change, current: ChapterMembership | None) -> str:
    """The mutation a person of the tenant would have called for this change."""
    if change.becomes == LEFT:
        return "membershipRemove"
    if change.becomes == LEAD:
        return "chapterAppointLead"
    if current is None or current.status == LEFT:
        return "membershipAdd"
    return "membershipChangeRole"


async def _apply_change(
    session: AsyncSession,
    principal: Principal,
    change: Change,
    when: datetime,
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
    memberships: dict[tuple[str, str], ChapterMembership],
) -> None:
    chapter_id, person_id = chapters[change.chapter], people[change.person].id
    key = (change.chapter, change.person)
    current = memberships.get(key)
    if change.becomes == LEFT:
        await remove(session, principal, current.id, reason=change.reason, at=when)
    elif change.becomes == LEAD:
        memberships[key] = await appoint_lead(
            session, principal, chapter_id, person_id, reason=change.reason, at=when
        )
    elif current is None or current.status == LEFT:
        memberships[key] = await join(
            session,
            principal,
            chapter_id,
            person_id,
            role=change.becomes,
            invite=False,
            reason=change.reason,
            at=when,
        )
    else:
        await change_role(
            session, principal, current.id, change.becomes, reason=change.reason, at=when
        )


# The activity ledger


PROJECT_STEPS = {
    ProjectStatus.PROPOSED: (),
    ProjectStatus.ACCEPTED: (ProjectStatus.ACCEPTED,),
    ProjectStatus.IN_PROGRESS: (ProjectStatus.ACCEPTED, ProjectStatus.IN_PROGRESS),
    ProjectStatus.COMPLETED: (
        ProjectStatus.ACCEPTED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.COMPLETED,
    ),
    ProjectStatus.FAILED: (ProjectStatus.ACCEPTED, ProjectStatus.IN_PROGRESS, ProjectStatus.FAILED),
}
# When a project reached each status, counted from the first day of coding.
PROJECT_STEP_DAYS = {
    ProjectStatus.ACCEPTED: timedelta(days=-7),
    ProjectStatus.IN_PROGRESS: timedelta(days=0),
    ProjectStatus.FAILED: timedelta(days=45),  # a withdrawal in August
    ProjectStatus.COMPLETED: timedelta(days=105),  # finished in October
}
# What each step of an activity's story is, as a mutation of the API.
STEP_MUTATIONS = {
    "create": "activityCreate",
    "submit": "activitySubmit",
    "accept": "activityReview",
    "changes": "activityReview",
    "reply": "activityComment",
    "fix": "activitySubmit",
    "cancel": "activityCancel",
    "recap": "activityPublishRecap",
    "republish": "activityPublishRecap",
    "reopen": "activityReopen",
    "reschedule": "activityReschedule",
}
# Where each kind of link lives: https://<host>.<tenant's domain>/<activity key>
LINK_HOSTS = {
    LinkKind.REGISTRATION: "events",
    LinkKind.RECORDING: "video",
    LinkKind.SLIDES: "slides",
    LinkKind.ARTICLE: "blog",
    LinkKind.EPISODE: "podcast",
    LinkKind.PHOTOS: "photos",
}


@dataclass
class _Refs:
    """What the ledger's tables name by key, and who acts: the admin, leads, the reviewer."""

    session: AsyncSession
    domain: str
    people: dict[str, Person]
    chapters: dict[str, uuid.UUID]
    admin: Principal
    clock: Clock
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)
    projects: dict[str, uuid.UUID] = field(default_factory=dict)
    principals: dict[uuid.UUID, Principal] = field(default_factory=dict)

    async def principal(self, person: Person) -> Principal:
        if person.id not in self.principals:
            self.principals[person.id] = await load_principal(self.session, person)
        return self.principals[person.id]

    async def organiser(self, chapter_id: uuid.UUID) -> Principal:
        """The chapter's lead, who writes up its activities (the admin, if it has none)."""
        lead = await self.session.scalar(
            select(Person)
            .join(ChapterMembership, ChapterMembership.person_id == Person.id)
            .where(
                ChapterMembership.chapter_id == chapter_id,
                ChapterMembership.role == LEAD,
                ChapterMembership.status == MembershipStatus.ACTIVE,
            )
            .limit(1)
        )
        if lead is not None:
            principal = await self.principal(lead)
            if authz.can(principal, Action.ACTIVITY_CREATE, chapter_id=chapter_id):
                return principal
        return self.admin

    def links(self, key: str, kinds: str) -> list[LinkEntry]:
        return [
            LinkEntry(
                kind=LinkKind(kind),
                url=f"https://{LINK_HOSTS[LinkKind(kind)]}.{self.domain}/{key}",
                title=kind.capitalize(),
            )
            for kind in kinds.split()
        ]

    def participant(self, who: Who | Guest) -> ParticipantEntry:
        if isinstance(who, Guest):
            return ParticipantEntry(
                role=ParticipantRole(who.role),
                external_name=who.name,
                external_affiliation=who.affiliation,
                topic=who.topic,
            )
        person_id = self.people[who.person].id
        return ParticipantEntry(
            role=ParticipantRole(who.role), person_id=person_id, topic=who.topic
        )

    def organisation(self, pair: str) -> OrganisationEntry:
        key, role = pair.split(":")
        return OrganisationEntry(
            organisation_id=self.organisations[key], role=OrganisationRole(role)
        )


async def _seed_ledger(
    session: AsyncSession, content: TenantContent, ledger: Ledger, clock: Clock
) -> str:
    """Organisations, the mentoring program and the activities; return a summary line. Works
    on a tenant seeded before the ledger existed: people and chapters are looked up."""
    people = {}
    for profile in content.people:  # creates, by name only, any profile added since
        email = f"{profile.key}@{content.domain}"
        people[profile.key] = await ensure_person(session, email=email, display_name=profile.name)
    chapters = dict((await session.execute(select(Chapter.slug, Chapter.id))).all())
    admin = await load_principal(session, people[ADMIN_KEY])
    refs = _Refs(session, content.domain, people, chapters, admin, clock)
    refs.organisations = await _ensure_organisations(refs, ledger.organisations)
    refs.projects = await _ensure_program(refs, ledger.program, ledger.projects)
    reviewer = await refs.principal(people[ledger.reviewer])
    for index, spec in enumerate(ledger.activities):
        await _replay_activity(refs, spec, reviewer, index)
    waiting = await session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.status == ActivityStatus.SUBMITTED)
    )
    return (
        f"{_count(len(refs.organisations), 'organisation')}, "
        f"{_count(len(refs.projects), 'mentoring project')}, "
        f"{len(ledger.activities)} activities ({waiting} awaiting review)"
    )


async def _ensure_organisations(refs: _Refs, specs: list[OrganisationSpec]) -> dict[str, uuid.UUID]:
    """Each organisation once by name (the registry's unique key): one already there, say
    entered through the API, is used as it is."""
    ids = {}
    for spec in specs:
        existing = await refs.session.scalar(
            select(Organisation.id).where(func.lower(Organisation.name) == spec.name.lower())
        )
        if existing is not None:
            ids[spec.key] = existing
            continue
        fields = organisations.OrganisationFields(
            name=spec.name, kind=spec.kind, website=spec.website, notes=spec.notes
        )
        organisation = await organisations.create_organisation(refs.session, refs.admin, fields)
        for rel in spec.relationships:
            relationship = organisations.RelationshipFields(
                kind=RelationshipKind(rel.kind),
                status=RelationshipStatus(rel.status),
                starts_on=date.fromisoformat(rel.starts_on),
                notes=rel.notes,
            )
            await organisations.add_relationship(
                refs.session, refs.admin, organisation.id, relationship
            )
        if spec.contact is not None:
            contact = organisations.ContactFields(
                name=spec.contact.name, email=spec.contact.email, title=spec.contact.title
            )
            await organisations.add_contact(refs.session, refs.admin, organisation.id, contact)
        for slug in spec.chapters.split():
            await organisations.link_chapter(
                refs.session, refs.admin, refs.chapters[slug], organisation.id
            )
        ids[spec.key] = organisation.id
        first = min(date.fromisoformat(rel.starts_on) for rel in spec.relationships)
        await refs.clock.stamp(_day_at(first - timedelta(days=14), 11))
    return ids


async def _ensure_program(
    refs: _Refs, spec: ProgramSpec, projects: list[ProjectSpec]
) -> dict[str, uuid.UUID]:
    """The program once by name and year, each project once by title; a project walks its
    life to its status one step at a time, its outcome recorded with the last step."""
    session, admin = refs.session, refs.admin
    program = await session.scalar(
        select(MentoringProgram).where(
            MentoringProgram.name == spec.name, MentoringProgram.year == spec.year
        )
    )
    if program is None:
        fields = mentoring.ProgramFields(
            name=spec.name,
            year=spec.year,
            description=spec.description,
            applications_open_on=date.fromisoformat(spec.applications[0]),
            applications_close_on=date.fromisoformat(spec.applications[1]),
            coding_starts_on=date.fromisoformat(spec.coding[0]),
            coding_ends_on=date.fromisoformat(spec.coding[1]),
        )
        program = await mentoring.create_program(session, admin, fields)
        opens = date.fromisoformat(spec.applications[0])
        await refs.clock.stamp(_day_at(opens - timedelta(days=30), 11))
    existing = await session.execute(
        select(MentoringProject.title, MentoringProject.id).where(
            MentoringProject.program_id == program.id
        )
    )
    titles = dict(existing.all())
    ids = {}
    for project in projects:
        if project.title in titles:
            ids[project.key] = titles[project.title]
            continue
        fields = mentoring.ProjectFields(
            title=project.title,
            repository_url=project.repository,
            chapter_id=refs.chapters[project.chapter],
        )
        created = await mentoring.create_project(
            session,
            admin,
            program.id,
            fields,
            mentor_ids=[refs.people[key].id for key in project.mentors.split()],
            mentee_ids=[refs.people[key].id for key in project.mentees.split()],
        )
        closes, coding = (date.fromisoformat(day) for day in (spec.applications[1], spec.coding[0]))
        await refs.clock.stamp(_day_at(closes + timedelta(days=3), 15))
        steps = PROJECT_STEPS[project.status]
        for status in steps:
            last = status == steps[-1]
            outcome = project.outcome if last and project.outcome else mentoring.UNSET
            await mentoring.set_status(session, admin, created.id, status, outcome=outcome)
            await refs.clock.stamp(_day_at(coding + PROJECT_STEP_DAYS[status], 16))
        ids[project.key] = created.id
    return ids


async def _replay_activity(
    refs: _Refs, spec: ActivitySpec, reviewer: Principal, index: int
) -> None:
    """Create the activity as its chapter's lead, then take its steps in order, each at its
    time in the activity's story (``_story``)."""
    session = refs.session
    chapter_id = refs.chapters[spec.chapter]
    author = await refs.organiser(chapter_id)
    clock = await session.scalar(select(Chapter.timezone).where(Chapter.id == chapter_id))
    starts = datetime.fromisoformat(spec.starts).replace(tzinfo=ZoneInfo(clock))  # its clock
    ends = None if spec.hours is None else starts + timedelta(hours=spec.hours)
    fields = ActivityFields(
        chapter_id=chapter_id,
        kind=ActivityKind(spec.kind),
        title=spec.title,
        starts_at=starts,
        ends_at=ends,
        venue=spec.venue,
        online_url=spec.online,
        language=spec.language,
        expected_attendance=spec.expected,
        tags=spec.tags.split(),
        mentoring_project_id=refs.projects[spec.project] if spec.project else None,
        co_host_chapter_ids=[refs.chapters[slug] for slug in spec.co_hosts.split()],
        organisations=[refs.organisation(pair) for pair in spec.organisations.split()],
        participants=[refs.participant(who) for who in spec.people],
        links=refs.links(spec.key, spec.links),
    )
    story = _story(spec, starts, ends or starts, index, refs.clock.limit)
    with _acting(session, "create", author):
        activity_id = (await create_activity(session, author, fields)).id
    await refs.clock.stamp(story[0])
    for step, when in zip(spec.steps.split(), story[1:], strict=True):
        actor = reviewer if step in ("accept", "changes", "reopen") else author
        with _acting(session, step, actor):
            await _take_step(refs, spec, step, activity_id, author, reviewer)
        await refs.clock.stamp(when)


def _acting(session: AsyncSession, step: str, actor: Principal):
    return audited(session, action=STEP_MUTATIONS[step], actor_id=actor.person_id, request_id=None)


async def _take_step(
    refs: _Refs,
    spec: ActivitySpec,
    step: str,
    activity_id: uuid.UUID,
    author: Principal,
    reviewer: Principal,
) -> None:
    session = refs.session
    if step == "submit":
        await lifecycle.submit(session, author, activity_id)
    elif step == "accept":
        await lifecycle.review(session, reviewer, activity_id, lifecycle.Step.ACCEPT)
    elif step == "changes":
        decision = lifecycle.Step.REQUEST_CHANGES
        await lifecycle.review(session, reviewer, activity_id, decision, spec.review)
    elif step == "reply":
        await lifecycle.add_comment(session, author, activity_id, spec.reply)
    elif step == "fix":
        await update_activity(session, author, activity_id, _fixed_fields(refs, spec))
        await lifecycle.submit(session, author, activity_id, spec.fix.note)
    elif step == "cancel":
        await lifecycle.cancel(session, author, activity_id, spec.cancel)
    elif step == "recap":
        recap = _recap(refs, spec, spec.recap)
        await lifecycle.publish_recap(session, author, activity_id, recap)
    elif step == "republish":
        recap = _recap(refs, spec, spec.republish.recap)
        await lifecycle.publish_recap(session, author, activity_id, recap, spec.republish.note)
    elif step == "reopen":
        await lifecycle.reopen(session, reviewer, activity_id, spec.reopen)
    elif step == "reschedule":
        await _reschedule(refs, spec, activity_id, author)
    else:
        raise ValueError(f"{spec.key}: unknown step {step!r}")


async def _reschedule(
    refs: _Refs, spec: ActivitySpec, activity_id: uuid.UUID, author: Principal
) -> None:
    chapter_id = refs.chapters[spec.chapter]
    clock = await refs.session.scalar(select(Chapter.timezone).where(Chapter.id == chapter_id))
    starts = datetime.fromisoformat(spec.reschedule.starts).replace(tzinfo=ZoneInfo(clock))
    await schedule.reschedule(
        refs.session, author, activity_id, starts_at=starts, reason=spec.reschedule.reason
    )


def _recap(refs: _Refs, spec: ActivitySpec, given: Recap) -> recaps.RecapContent:
    """The recap's figure is people present for events, reach for content (reads, listens)."""
    figures = recaps.FIGURES[ActivityKind(spec.kind)]
    count = given.attendance
    reach = None
    if not figures.attendance:
        reach = recaps.Reach(count=count, unit=min(figures.reach_units))
    return recaps.RecapContent(
        summary=given.summary,
        attendance=count if figures.attendance else None,
        reach=reach,
        links=refs.links(spec.key, given.links),
    )


def _fixed_fields(refs: _Refs, spec: ActivitySpec) -> ActivityFields:
    fix = spec.fix
    changes: dict[str, Any] = {}
    if fix.venue is not None:
        changes["venue"] = fix.venue
    if fix.expected is not None:
        changes["expected_attendance"] = fix.expected
    if fix.links:
        changes["links"] = refs.links(spec.key, fix.links)
    return ActivityFields(**changes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _at(day: str, timezone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(10, 0), tzinfo=timezone)


# Dating the story

# Columns that say when a row was written or a step taken (not dates of the story itself, such
# as an activity's start or a membership period's, which the services are given).
RECORD_TIMES = (
    "created_at",
    "updated_at",
    "occurred_at",
    "published_at",
    "changed_at",
    "submitted_at",
    "reviewed_at",
    "recap_published_at",
)


class Clock:
    """Dates what the seeding writes. The services stamp rows with the time of writing (the
    transaction's ``now()`` or the time of the call), and the demo replays three years in one
    transaction: after each step of the story, ``stamp`` gives every record time written since
    the previous stamp the step's time. ``limit``: the story ends before it is seeded."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.since = datetime.now(UTC)
        self.limit = self.since - timedelta(hours=1)
        self.tables = [
            table
            for table in Base.metadata.sorted_tables
            if "tenant_id" in table.c and any(name in table.c for name in RECORD_TIMES)
        ]

    async def stamp(self, when: datetime) -> None:
        """Times set by the database become ``when``; times set by a service become ``when``
        plus their offset from the previous stamp, which keeps the order of a list written
        microseconds apart."""
        tenant_id = bound_tenant(self.session.sync_session)
        since = literal(self.since, DateTime(timezone=True))
        moment = literal(when, DateTime(timezone=True))
        for table in self.tables:
            columns = [table.c[name] for name in RECORD_TIMES if name in table.c]
            values = {
                column.name: case(
                    (column == func.now(), moment),
                    (column >= since, moment + (column - since)),
                    else_=column,
                )
                for column in columns
            }
            fresh = or_(*(or_(column == func.now(), column >= since) for column in columns))
            await self.session.execute(
                update(table).where(table.c.tenant_id == tenant_id, fresh).values(values)
            )
        self.since = datetime.now(UTC)


def _story(
    spec: ActivitySpec, starts: datetime, ends: datetime, index: int, limit: datetime
) -> list[datetime]:
    """When the activity was written up and when each of its steps was taken: written up four
    to six weeks before it starts, submitted a few days later, reviewed within days, answered
    or fixed a day or two after a review, cancelled the day before (or, a draft, a week
    later), recapped a few days after it ended; reopened, rescheduled or recapped again a few
    days after the step before. ``index`` (its place in the ledger) spreads
    the days and hours, so no two activities share a moment. A story that would reach past
    ``limit`` is told, in the same order, in the days just before it."""
    offset = timedelta(hours=index % 5, minutes=(index * 17) % 60)
    day = starts.replace(hour=9, minute=0, second=0, microsecond=0) + offset
    times = [day - timedelta(days=28 + (index * 5) % 17)]
    steps = spec.steps.split()
    for step in steps:
        previous = times[-1]
        if step == "submit":
            at = previous + timedelta(days=2 + index % 4, hours=3)
        elif step in ("accept", "changes"):
            at = previous + timedelta(days=1 + index % 3, hours=1)
        elif step in ("reply", "fix"):
            at = previous + timedelta(days=1 + (step == "fix"), hours=2)
        elif step == "cancel" and "submit" in steps:
            at = day - timedelta(days=1) + timedelta(hours=9)
        elif step == "cancel":
            at = previous + timedelta(days=7)
        elif step in ("reopen", "reschedule", "republish"):
            at = previous + timedelta(days=2 + index % 3, hours=4)
        else:  # recap
            at = ends + timedelta(days=1 + index % 5, hours=2)
        times.append(max(at, previous + timedelta(hours=1)))
    if times[-1] < limit:
        return times
    begin = min(times[0], limit - timedelta(days=5 + index % 7, hours=index % 5))
    step = (limit - begin) / len(times)
    return [begin + step * number for number in range(len(times))]


def _first_day(content: TenantContent) -> str:
    return min(spec.founded for spec in content.chapters)


async def _date_people(
    session: AsyncSession, content: TenantContent, people: dict[str, Person], timezone: ZoneInfo
) -> None:
    """A person's profile dates from their first membership or committee seat (the staff's,
    and anyone else's, from before the first chapter)."""
    first: dict[str, str] = {}
    seats = content.committee.seats if content.committee else []
    for key, day in [(c.person, c.on) for c in content.history] + [
        (seat.person, seat.starts_on) for seat in seats
    ]:
        first[key] = min(day, first.get(key, day))
    table = Person.__table__
    for key, day in first.items():
        when = _at(day, timezone) - timedelta(hours=1)
        await session.execute(
            update(table)
            .where(table.c.tenant_id == people[key].tenant_id, table.c.id == people[key].id)
            .values(created_at=when, updated_at=when)
        )


def _day_at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)
