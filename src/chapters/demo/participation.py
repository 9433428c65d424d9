"""Three years of past participation in tenant ``demo`` (December 2023 to November 2026), as
plain data for the insight figures: who joined which chapter when, who took part in which
accepted activity in which role, who contributed code. ``backfill`` writes it.

Every choice is drawn from ``random.Random(2026)`` over fixed dates, so the figures keep
their answers. The story:

- **Hangzhou grows**: more newcomers each quarter (1 in December 2023, 8 in 2026-Q3) and
  more activities (one in 2024-Q1, five in 2026-Q2 and Q3); members who stay on speak at
  later meetups.
- **Chengdu churns**: newcomers dwindle from three a quarter in 2024 to none in 2026, its
  last activity here is in May 2026, and its members go quiet through 2026 (with the three
  departures of Q3 2026 that ``data`` tells). Recaps are published for every other one of
  its activities, so its recap compliance is below 80 % in most quarters (50 % in 2024-Q3,
  none of two in 2026-Q2); the other chapters publish all theirs but Hangzhou's fifth
  activity of 2026-Q2 and of 2026-Q3.
- **Cohorts**: people first join in every quarter; some stay active to the end (four in ten
  in Hangzhou, fewer elsewhere), the others fade within a few weeks to ten months.
- **Qian Bo** (``qian.bo@demo.example``, GitHub ``qianbo-dev``), a Hangzhou member and code
  contributor, sent his last pull request on 18 October 2024 (inactive 90 days later, in
  2025-Q1) and came back with a talk at the Hangzhou meetup of 16 August 2025, then monthly
  pull requests: *re-activated in 2025-Q3*, the only code contributor to be.
- **Zhou Lan** (``zhou.lan@demo.example``), who spoke at every Chengdu meetup from December
  2023 to November 2025, has been quiet since: one of Chengdu's contributors to
  re-activate (``contributorsToReactivate``).
- Code contributors with public profiles: Qian Bo, **Wen Jing** (Shenzhen, monthly since May
  2024), **Jiang Tao** (Hangzhou, since October 2025); the seated Zhang Min, Chen Jie and
  Ma Lin commit too.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from chapters.models import ActivityKind, ParticipantRole

PAST_TENANT = "demo"
EMAIL_DOMAIN = "demo.example"
REPOSITORY = "demo-community/website"
FIRST_DAY, LAST_DAY = date(2023, 12, 1), date(2026, 11, 15)
SEED = 2026


@dataclass(frozen=True)
class Newcomer:
    key: str  # the email's local part
    name: str
    chapter: str  # slug
    joined: date
    last_day: date  # the last day they take part (FIRST_DAY … LAST_DAY)
    public: bool = False
    github: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class PastActivity:
    key: str
    chapter: str
    kind: ActivityKind
    day: date
    title: str
    # (person key, role) in order; existing people by their key in ``data``, newcomers by theirs
    people: tuple[tuple[str, ParticipantRole], ...]
    attendance: int
    recap: bool


@dataclass(frozen=True)
class Commit:
    person: str
    day: date
    number: int  # the pull request's number


@dataclass
class Past:
    newcomers: list[Newcomer] = field(default_factory=list)
    activities: list[PastActivity] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)


# The named people of the story (the README points at them).
QIAN_BO = Newcomer(
    "qian.bo", "Qian Bo", "hangzhou", date(2024, 2, 17), LAST_DAY, True, "qianbo-dev", "Hangzhou"
)
ZHOU_LAN = Newcomer(
    "zhou.lan", "Zhou Lan", "chengdu", date(2023, 12, 9), date(2025, 11, 30), True, None, "Chengdu"
)
WEN_JING = Newcomer(
    "wen.jing", "Wen Jing", "shenzhen", date(2024, 5, 11), LAST_DAY, True, "wenjing-sz", "Shenzhen"
)
JIANG_TAO = Newcomer(
    "jiang.tao", "Jiang Tao", "hangzhou", date(2025, 10, 11), LAST_DAY, True, "jtao", "Hangzhou"
)
NAMED = (QIAN_BO, ZHOU_LAN, WEN_JING, JIANG_TAO)
QIAN_BO_QUIET = (date(2024, 10, 21), date(2025, 8, 1))  # takes no part in between
QIAN_BO_LAST_BEFORE = date(2024, 10, 18)  # his last pull request: quiet from 16 January 2025
REACTIVATED_QUARTER = "2025-Q3"

# Per chapter, per quarter from 2023-Q4 (December only) to 2026-Q4 (to mid-November).
# fmt: off
NEW_PER_QUARTER = {
    "hangzhou":  (1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 6),
    "chengdu":   (3, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0),
    "shanghai":  (1, 1, 1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 1),
    "shenzhen":  (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "guangzhou": (0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0),
}
ACTIVITIES_PER_QUARTER = {
    "hangzhou":  (1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 3),
    "chengdu":   (1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0),
    "shanghai":  (1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1),
    "shenzhen":  (1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1),
    "guangzhou": (0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1),
}
# fmt: on
# The seated people who organise (alternately) and the city newcomers live in.
ORGANISERS = {
    "hangzhou": ("chen.jie", "xu.ming"),
    "chengdu": ("liu.yang", "tang.yu"),
    "shanghai": ("lead.shanghai", "zhang.min"),
    "shenzhen": ("ma.lin", "zheng.hui"),
    "guangzhou": ("guo.qiang", "emily.wong"),
}
CITY = {slug: slug.title() for slug in ORGANISERS}
# Chance a newcomer stays active to the end, and takes part in each activity while active.
STAYS = {"hangzhou": 0.4, "chengdu": 0.15, "shanghai": 0.3, "shenzhen": 0.3, "guangzhou": 0.3}
TAKES_PART = 0.5
CHENGDU_LAST_DAY = date(2026, 5, 31)  # its last meetup in ``data`` is on 13 June 2026
TOPICS = (
    "Kubernetes operators",
    "GitOps in practice",
    "observability on a budget",
    "service mesh",
    "serverless functions",
    "eBPF",
    "platform engineering",
    "supply-chain security",
    "edge computing",
    "AI infrastructure",
    "WebAssembly",
    "docs and translation",
)
# fmt: off
SURNAMES = (
    "Bai", "Cao", "Ding", "Du", "Fan", "Fu", "Gao", "Gu", "Han", "Hou", "Hu", "Jia", "Jin", "Kong",
    "Lei", "Liang", "Lu", "Mao", "Meng", "Mo", "Pan", "Qin", "Ren", "Shao", "Shen", "Shi", "Song",
    "Su", "Tan", "Tian", "Wan", "Wei", "Xia", "Xiong", "Xue", "Yan", "Ye", "Yin", "Yu", "Yuan",
    "Zeng", "Zhu",
)  # none is the surname of someone in ``data``
GIVEN = (
    "An", "Bin", "Chen", "Dong", "Fang", "Gang", "Hua", "Jian", "Jing", "Kai", "Lei", "Lin", "Mei",
    "Ning", "Ping", "Qing", "Rui", "Shan", "Tao", "Ting", "Wei", "Xin", "Yan", "Yi", "Ying", "Yong",
    "Yu", "Yun", "Zhen", "Zhi",
)
# fmt: on


def quarters() -> list[tuple[date, date]]:
    """[start, end) of each quarter of the story, the first and last cut to its days."""
    spans, start = [], FIRST_DAY
    while start < LAST_DAY:
        month = start.month + 3 - (start.month - 1) % 3
        end = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
        spans.append((start, min(end, LAST_DAY)))
        start = end
    return spans


def _saturday(day: date, before: date) -> date:
    """The Saturday on or after ``day``, or the one before when that falls at ``before``."""
    found = day + timedelta(days=(5 - day.weekday()) % 7)
    return found if found < before else found - timedelta(days=7)


def _names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    taken = {"Qian Bo", "Zhou Lan", "Wen Jing", "Jiang Tao"}
    found: list[tuple[str, str]] = []
    while len(found) < n:
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        name = f"{surname} {given}"
        if name not in taken:
            taken.add(name)
            found.append((f"{surname.lower()}.{given.lower()}", name))
    return found


def _newcomers(rng: random.Random) -> list[Newcomer]:
    spans = quarters()
    wanted = [
        (chapter, index)
        for chapter, per in NEW_PER_QUARTER.items()
        for index, n in enumerate(per)
        for _ in range(n)
    ]
    people = []
    for (key, name), (chapter, index) in zip(_names(rng, len(wanted)), wanted, strict=True):
        start, end = spans[index]
        joined = start + timedelta(days=rng.randrange((end - start).days))
        ends = CHENGDU_LAST_DAY if chapter == "chengdu" else LAST_DAY
        if rng.random() >= STAYS[chapter]:
            ends = min(ends, joined + timedelta(days=rng.randint(20, 300)))
        public = rng.random() < 0.1
        people.append(Newcomer(key, name, chapter, joined, max(ends, joined), public, None, None))
    return people


def _activity_days(chapter: str) -> list[date]:
    days = []
    for (start, end), n in zip(quarters(), ACTIVITIES_PER_QUARTER[chapter], strict=True):
        if chapter == "chengdu":
            end = min(end, CHENGDU_LAST_DAY)
        step = (end - start) / n if n else timedelta(0)
        days += [_saturday(start + step * (i + 0.5), end) for i in range(n)]
    return days


def _first_in(days: list[date], start: date, end: date) -> date:
    found = [day for day in days if start <= day < end]
    if not found:
        raise ValueError(f"no activity between {start} and {end}")
    return found[0]


def _cast(
    rng: random.Random, chapter: str, index: int, day: date, crowd: list[Newcomer]
) -> list[tuple[str, ParticipantRole]]:
    """Who took part: an organiser, the newcomers active that day who came (a newcomer always
    comes to the first activity after joining), one or two of the regulars speaking."""
    organiser = ORGANISERS[chapter][index % 2]
    came = [
        p
        for p in crowd
        if p.chapter == chapter
        and p.joined <= day <= p.last_day
        and (rng.random() < TAKES_PART or not any(p.joined <= d < day for d in _DAYS[chapter]))
    ]
    regulars = [p for p in came if (day - p.joined).days > 60]
    speakers = rng.sample(regulars, min(len(regulars), rng.choice((1, 2))))
    cast = [(organiser, ParticipantRole.ORGANIZER)]
    cast += [(p.key, ParticipantRole.SPEAKER) for p in speakers]
    if not speakers:
        cast.append((organiser, ParticipantRole.SPEAKER))
    cast += [(p.key, ParticipantRole.GUEST) for p in came if p not in speakers]
    return cast


_DAYS = {chapter: _activity_days(chapter) for chapter in ACTIVITIES_PER_QUARTER}


def _recap(chapter: str, index: int, in_quarter: int) -> bool:
    """Chengdu publishes about half its recaps; Hangzhou misses one in its two busiest quarters (80 %: still compliant)."""
    if chapter == "chengdu":
        return index % 2 == 0
    return not (chapter == "hangzhou" and in_quarter == 4)


def _activities(rng: random.Random, crowd: list[Newcomer]) -> list[PastActivity]:
    activities = []
    spans = quarters()
    for chapter, days in _DAYS.items():
        for index, day in enumerate(days):
            start = max(s for s, _ in spans if s <= day)
            in_quarter = sum(1 for d in days[:index] if d >= start)
            topic = TOPICS[rng.randrange(len(TOPICS))]
            online = rng.random() < 0.3
            kind = ActivityKind.ONLINE_MEETUP if online else ActivityKind.OFFLINE_MEETUP
            cast = _cast(rng, chapter, index, day, crowd)
            if online:
                cast[0] = (cast[0][0], ParticipantRole.HOST)
            activities.append(
                PastActivity(
                    key=f"{chapter}-{day.isoformat()}",
                    chapter=chapter,
                    kind=kind,
                    day=day,
                    title=f"{CITY[chapter]} {'online ' if online else ''}meetup: {topic}",
                    people=tuple(cast),
                    attendance=len(cast) * rng.randint(4, 9) + 10,
                    recap=_recap(chapter, index, in_quarter),
                )
            )
    return activities


def _with(activity: PastActivity, key: str, role: ParticipantRole) -> PastActivity:
    return dataclasses.replace(activity, people=(*activity.people, (key, role)))


def _named_parts(activities: list[PastActivity]) -> list[PastActivity]:
    """Qian Bo speaks before going quiet and when coming back; Jiang Tao speaks in his first
    spring; Zhou Lan speaks or hosts at every Chengdu activity until she goes quiet."""
    by_day = {(a.chapter, a.day): i for i, a in enumerate(activities)}
    hangzhou = _DAYS["hangzhou"]
    talks = [
        (QIAN_BO.key, _first_in(hangzhou, date(2024, 5, 1), date(2024, 7, 1))),
        (QIAN_BO.key, _first_in(hangzhou, QIAN_BO_QUIET[1], date(2025, 10, 1))),
        (JIANG_TAO.key, _first_in(hangzhou, date(2026, 4, 1), date(2026, 7, 1))),
    ]
    talks += [
        (ZHOU_LAN.key, day)
        for day in _DAYS["chengdu"]
        if ZHOU_LAN.joined <= day <= ZHOU_LAN.last_day
    ]
    for key, day in talks:
        index = by_day[("hangzhou" if key != ZHOU_LAN.key else "chengdu", day)]
        activities[index] = _with(activities[index], key, ParticipantRole.SPEAKER)
    return activities


def _monthly(person: str, first: date, last: date, rng: random.Random) -> list[Commit]:
    commits, day = [], first
    while day <= last:
        commits.append(Commit(person, day, rng.randint(100, 9999)))
        day += timedelta(days=rng.randint(21, 35))
    return commits


def _commits(rng: random.Random) -> list[Commit]:
    commits = _monthly(QIAN_BO.key, date(2024, 3, 20), date(2024, 9, 30), rng)
    commits.append(Commit(QIAN_BO.key, QIAN_BO_LAST_BEFORE, rng.randint(100, 9999)))
    commits += _monthly(QIAN_BO.key, date(2025, 8, 23), LAST_DAY, rng)
    commits += _monthly(WEN_JING.key, date(2024, 5, 25), LAST_DAY, rng)
    commits += _monthly(JIANG_TAO.key, date(2025, 10, 25), LAST_DAY, rng)
    for seated in ("zhang.min", "chen.jie", "ma.lin"):  # covered by their seats throughout
        commits += _monthly(
            seated, date(2024, 1, 10) + timedelta(days=rng.randrange(60)), LAST_DAY, rng
        )[::3]
    numbers: set[int] = set()
    unique = []
    for commit in commits:  # one pull request per number
        number = commit.number
        while number in numbers:
            number += 1
        numbers.add(number)
        unique.append(Commit(commit.person, commit.day, number))
    return unique


def past() -> Past:
    rng = random.Random(SEED)
    crowd = _newcomers(rng)
    activities = _named_parts(_activities(rng, crowd))
    return Past(newcomers=[*NAMED, *crowd], activities=activities, commits=_commits(rng))


PAST = past()
