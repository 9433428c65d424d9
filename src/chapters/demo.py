"""The demo data behind ``make run``: tenant ``demo`` and a second tenant ``acme``.

The ``demo`` tenant tells a story the API can answer: a user committee with a past term, five
city chapters (two of them under a regional chapter) and three years of membership history —
a lead handover in Hangzhou in June 2024, members leaving Chengdu in the third quarter of 2026
before it went dormant. Dates are fixed, so the README's questions keep their answers.

Chapters and memberships go through the services, as the tenant's admin, so the data obeys the
API's rules and leaves the same history and audit rows; ``at=`` backdates each membership change
to its day. Committees have no service yet and are written as rows.

Idempotent: the accounts are ensured on every run; the rest of a tenant's content is written
once, in one transaction, when the tenant's first demo chapter does not exist yet. The accounts
are documented in the README.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chapters import db
from chapters.auth.principal import Principal
from chapters.chapters.service import ChapterFields, change_status, create_chapter, find_by_slug
from chapters.memberships.service import appoint_lead, change_role, join, remove
from chapters.models import (
    ChapterMembership,
    ChapterRole,
    ChapterStatus,
    Committee,
    CommitteeKind,
    CommitteeSeat,
    MembershipStatus,
    Person,
    PersonSegment,
    SeatRole,
    TenantRole,
)
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal
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


@dataclass(frozen=True)
class TenantContent:
    domain: str
    country: str
    people: list[Profile]
    chapters: list[ChapterSpec]  # parents before their children; the first marks "seeded"
    history: list[Change]
    status_changes: list[StatusChange] = field(default_factory=list)
    committee: CommitteeSpec | None = None


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
    sessionmaker = db.tenant_sessionmaker(owner_engine)
    for slug, tenant_id in tenant_ids.items():
        async with db.open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            await _ensure_accounts(session, slug)
            content = CONTENT[slug]
            if await find_by_slug(session, content.chapters[0].slug) is not None:
                echo(f"  {slug}: chapters and history already there")
                continue
            timezone = ZoneInfo(DEMO_TENANTS[slug][1])
            echo(f"  {slug}: {await _seed_content(session, content, timezone)}")
    echo(f"  {len(DEMO_ACCOUNTS)} demo accounts ready")
    return tenant_ids


async def _ensure_accounts(session: AsyncSession, tenant: str) -> None:
    for account in DEMO_ACCOUNTS:
        if account.tenant == tenant:
            await ensure_person(
                session,
                email=account.email,
                display_name=account.display_name,
                tenant_role=account.tenant_role,
            )


async def _seed_content(session: AsyncSession, content: TenantContent, timezone: ZoneInfo) -> str:
    """Write a tenant's people, committee, chapters and history; return a summary line."""
    people = await _ensure_people(session, content)
    principal = await load_principal(session, people[ADMIN_KEY])
    committee_id = await _ensure_committee(session, content.committee, people)
    chapters = await _create_chapters(session, principal, content, committee_id, timezone)
    await _replay_history(session, principal, content.history, chapters, people, timezone)
    for change in content.status_changes:
        chapter_id = chapters[change.chapter]
        await change_status(
            session,
            principal,
            chapter_id,
            change.status,
            change.reason,
            at=_at(change.on, timezone),
        )
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
        chapter = await create_chapter(
            session,
            principal,
            fields,
            status=ChapterStatus.ACTIVE,
            at=_at(spec.founded, timezone),
        )
        ids[spec.slug] = chapter.id
    return ids


async def _replay_history(
    session: AsyncSession,
    principal: Principal,
    history: list[Change],
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
    timezone: ZoneInfo,
) -> None:
    """Applies the changes in date order, each a service call dated by ``at=``: a membership's
    periods only line up if its changes arrive in the order they happened."""
    memberships: dict[tuple[str, str], ChapterMembership] = {}
    for change in sorted(history, key=lambda c: c.on):
        when = _at(change.on, timezone)
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _at(day: str, timezone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(10, 0), tzinfo=timezone)
