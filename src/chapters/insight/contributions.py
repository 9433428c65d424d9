"""Code contributions recorded by import: GitHub-style events (from a CSV or JSON-lines file,
``chapters import-contributions``, or the ``contributionsImport`` mutation) attributed to the
tenant's people by GitHub handle. They are the evidence that makes someone a code contributor.

- An event is keyed by its URL: importing the same events again records nothing new
  (``INSERT … ON CONFLICT (tenant_id, url) DO NOTHING``), so a nightly job can resend a window.
- Handles match case-insensitively, as GitHub's do. A handle that no person of the tenant has,
  or that several people share, is counted and reported, never guessed.
- A file is read a line at a time and recorded in batches: memory holds one batch and one
  entry per distinct handle, whatever the file's size.
- Bulk evidence is written with one statement per batch, not through the ORM: the audit log
  does not get an entry per contribution.
"""

from __future__ import annotations

import csv
import enum
import json
import string
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.audit.recorder import record_event
from chapters.auth.principal import Principal
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import ContributionKind, Person
from chapters.people.service import GITHUB_HANDLE
from chapters.validation import is_storable

MAX_EVENTS_PER_CALL = 1000  # the mutation's limit; files have none
BATCH_SIZE = 1000  # events per INSERT and per look-up of handles
INVALID_LINES_KEPT = 50  # the first ones are listed, the rest only counted
MAX_LINE_LENGTH = 10_000
URL_LENGTH = 500
REPOSITORY_LENGTH = 200
FIELDS = ("handle", "repository", "kind", "url", "date")

# "owner/name": the owner is a handle; a name is letters, digits, '.', '-' and '_'.
_REPOSITORY_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-")

# What GitHub's exports and event API call the kinds (compared without case, '-', '_', ' ').
_KIND_ALIASES = {
    **{kind.value.replace("_", ""): kind for kind in ContributionKind},
    "commits": ContributionKind.COMMIT,
    "pushevent": ContributionKind.COMMIT,
    "pr": ContributionKind.PULL_REQUEST,
    "pull": ContributionKind.PULL_REQUEST,
    "pullrequests": ContributionKind.PULL_REQUEST,
    "pullrequestevent": ContributionKind.PULL_REQUEST,
    "reviews": ContributionKind.REVIEW,
    "prreview": ContributionKind.REVIEW,
    "pullrequestreview": ContributionKind.REVIEW,
    "pullrequestreviewevent": ContributionKind.REVIEW,
    "pullrequestreviewcommentevent": ContributionKind.REVIEW,
    "issues": ContributionKind.ISSUE,
    "issuesevent": ContributionKind.ISSUE,
}
# Other names a file may give a column (compared like kinds).
_COLUMN_ALIASES = {"occurredat": "date", "login": "handle", "repo": "repository"}


class ImportFormat(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True)
class ContributionEvent:
    """One valid event, before it is attributed to a person."""

    handle: str
    repository: str
    kind: ContributionKind
    url: str
    occurred_at: datetime


@dataclass(frozen=True)
class InvalidLine:
    line: int  # where the record starts, counting the header as line 1
    reason: str


@dataclass(frozen=True)
class UnmatchedHandle:
    handle: str  # as first spelt in the input
    events: int
    people: int = 0  # how many people have it: 0, or several (then none is chosen)


@dataclass
class ImportSummary:
    """What an import did. ``read`` = ``recorded`` + ``already_recorded`` + ``invalid`` +
    the events of the unmatched handles."""

    read: int = 0
    recorded: int = 0
    already_recorded: int = 0
    invalid: int = 0
    invalid_lines: list[InvalidLine] = field(default_factory=list)  # the first ones
    unmatched: list[UnmatchedHandle] = field(default_factory=list)  # most events first

    @property
    def unmatched_events(self) -> int:
        return sum(handle.events for handle in self.unmatched)


async def import_contributions(
    session: AsyncSession,
    principal: Principal | None,
    lines: Iterable[str],
    import_format: ImportFormat,
) -> ImportSummary:
    """Record the events of a file's ``lines`` (read lazily, as the file is); invalid lines
    are reported with their numbers and the valid ones still recorded. A CSV file starts with
    the header ``handle,repository,kind,url,date``; JSON lines carry the same keys."""
    caller = authz.require_caller(principal, authz.Action.CONTRIBUTION_IMPORT)
    recorder = _Recorder(session, caller)
    rows = _csv_rows(lines) if import_format == ImportFormat.CSV else _json_rows(lines)
    for number, row in rows:
        recorder.summary.read += 1
        if isinstance(row, str):
            recorder.invalid(number, row)
            continue
        try:
            event = parse_event(row)
        except InvalidInput as error:
            recorder.invalid(number, str(error))
            continue
        await recorder.add(event)
    return await recorder.finish()


async def record_contributions(
    session: AsyncSession, principal: Principal | None, events: Sequence[Mapping[str, Any]]
) -> ImportSummary:
    """Record up to ``MAX_EVENTS_PER_CALL`` events at once, all valid or none (errors name
    ``events.<i>.<field>``). Each maps ``FIELDS`` to text, or ``kind`` to a
    ``ContributionKind`` and ``date`` to a date or datetime."""
    caller = authz.require_caller(principal, authz.Action.CONTRIBUTION_IMPORT)
    if len(events) > MAX_EVENTS_PER_CALL:
        raise InvalidInput(
            FieldError("events", ErrorCode.INVALID, f"At most {MAX_EVENTS_PER_CALL} events at once")
        )
    parsed, errors = [], []
    for index, values in enumerate(events):
        try:
            parsed.append(parse_event(values, field=f"events.{index}."))
        except InvalidInput as error:
            errors += error.errors
    if errors:
        raise InvalidInput(*errors)
    recorder = _Recorder(session, caller)
    recorder.summary.read = len(parsed)
    for event in parsed:
        await recorder.add(event)
    return await recorder.finish()


def parse_event(values: Mapping[str, Any], *, field: str = "") -> ContributionEvent:
    """A valid event from ``values`` (keys as ``FIELDS``), or ``InvalidInput`` naming every
    problem (fields prefixed with ``field``)."""
    errors: list[FieldError] = []

    def check(name: str, reader: Any) -> Any:
        try:
            return reader(values.get(name))
        except _Bad as error:
            target = "occurred_at" if name == "date" else name
            errors.append(FieldError(f"{field}{target}", error.code, str(error)))
            return None

    handle = check("handle", _handle)
    repository = check("repository", _repository)
    kind = check("kind", _kind)
    url = check("url", _url)
    occurred_at = check("date", _occurred_at)
    if errors:
        raise InvalidInput(*errors)
    return ContributionEvent(handle, repository, kind, url, occurred_at)


class _Bad(ValueError):
    def __init__(self, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        super().__init__(message)
        self.code = code


def _text(value: object, name: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Bad(f"{name} is missing", ErrorCode.REQUIRED)
    if not is_storable(value):
        raise _Bad(f"{name} is not text")
    return value.strip()


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _handle(value: object) -> str:
    handle = _text(value, "handle").removeprefix("@")
    if not GITHUB_HANDLE.match(handle):
        raise _Bad(
            f"handle {_shown(handle)} is not a GitHub handle (up to 39 letters, digits "
            "and single hyphens, not starting or ending with one)"
        )
    return handle


def _repository(value: object) -> str:
    repository = _text(value, "repository")
    owner, slash, name = repository.partition("/")
    if (
        not slash
        or not GITHUB_HANDLE.match(owner)
        or not 0 < len(name) <= 100
        or name in (".", "..")
        or not set(name) <= _REPOSITORY_NAME_CHARACTERS
        or len(repository) > REPOSITORY_LENGTH
    ):
        raise _Bad(f"repository {_shown(repository)} is not of the form owner/name")
    return repository


def _kind(value: object) -> ContributionKind:
    if isinstance(value, ContributionKind):
        return value
    given = _text(value, "kind")
    kind = _KIND_ALIASES.get(_folded(given))
    if kind is None:
        known = ", ".join(kind.value for kind in ContributionKind)
        raise _Bad(f"kind {_shown(given)} is not one of {known}")
    return kind


def _url(value: object) -> str:
    url = _text(value, "url")
    if len(url) > URL_LENGTH:
        raise _Bad(f"url is over {URL_LENGTH} characters", ErrorCode.TOO_LONG)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(character.isspace() or ord(character) < 32 for character in url)
    ):
        raise _Bad(f"url {_shown(url)} is not an http(s) URL")
    return url


def _occurred_at(value: object) -> datetime:
    """An instant; a datetime without an offset is UTC (as GitHub gives them), a bare date
    its midnight in UTC (as the insight figures read days)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        given = _text(value, "date")
        try:
            moment = (
                datetime.fromisoformat(given)
                if len(given) > 10
                else datetime.combine(date.fromisoformat(given), datetime.min.time())
            )
        except ValueError:
            raise _Bad(
                f"date {_shown(given)} is not an ISO date or date-time "
                "(2025-06-01 or 2025-06-01T12:00:00Z)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _Bad("date is out of range") from None


def _folded(name: str) -> str:
    return name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")


Row = tuple[int, dict[str, Any] | str]  # a line number, and its values or why it has none


def _csv_rows(lines: Iterable[str]) -> Iterator[Row]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InvalidInput(
            FieldError(
                "file", ErrorCode.REQUIRED, f"The file is empty: expected {','.join(FIELDS)}"
            )
        )
    columns = _columns(header)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, f"not CSV: {error}"
            if reader.line_num < start:  # nothing consumed: the reader cannot go on
                return
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in cells):
            yield start, {name: cells[i] if i < len(cells) else None for name, i in columns}
        start = reader.line_num + 1


def _columns(header: list[str]) -> list[tuple[str, int]]:
    """Each field's column; extra columns are ignored."""
    names = [_folded(name.lstrip("\ufeff")) for name in header]
    names = [_COLUMN_ALIASES.get(name, name) for name in names]
    missing = [name for name in FIELDS if name not in names]
    if missing:
        raise InvalidInput(
            FieldError(
                "file",
                ErrorCode.INVALID,
                f"The header lacks {', '.join(missing)}: the first line must name the "
                f"columns {','.join(FIELDS)}",
            )
        )
    return [(name, names.index(name)) for name in FIELDS]


def _json_rows(lines: Iterable[str]) -> Iterator[Row]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_LENGTH:
            yield number, f"the line is over {MAX_LINE_LENGTH} characters"
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            yield number, "not a JSON object"
            continue
        yield number, {_COLUMN_ALIASES.get(_folded(k), _folded(k)): v for k, v in value.items()}


class _Recorder:
    """Attributes events to people and records them a batch at a time."""

    def __init__(self, session: AsyncSession, caller: Principal) -> None:
        self.session, self.tenant_id, self.actor_id = session, caller.tenant_id, caller.actor_id
        self.summary = ImportSummary()
        self.pending: list[ContributionEvent] = []
        self.people: dict[str, list[uuid.UUID]] = {}  # lower-cased handle → who has it
        self.unmatched: Counter[str] = Counter()
        self.spelling: dict[str, str] = {}  # lower-cased handle → as first seen

    def invalid(self, line: int, reason: str) -> None:
        self.summary.invalid += 1
        if len(self.summary.invalid_lines) < INVALID_LINES_KEPT:
            self.summary.invalid_lines.append(InvalidLine(line, reason))

    async def add(self, event: ContributionEvent) -> None:
        self.pending.append(event)
        if len(self.pending) >= BATCH_SIZE:
            await self._record_pending()

    async def finish(self) -> ImportSummary:
        await self._record_pending()
        self.summary.unmatched = sorted(
            (
                UnmatchedHandle(self.spelling[key], events, len(self.people[key]))
                for key, events in self.unmatched.items()
            ),
            key=lambda handle: (-handle.events, handle.handle.lower()),
        )
        # rows written by batch, not through the ORM: one entry tells what the import did
        summary = self.summary
        await record_event(
            self.session,
            "CodeContributionImport",
            {
                "read": summary.read,
                "recorded": summary.recorded,
                "already_recorded": summary.already_recorded,
                "invalid": summary.invalid,
                "unmatched_handles": len(summary.unmatched),
            },
            actor_id=self.actor_id,
        )
        return summary

    async def _record_pending(self) -> None:
        batch, self.pending = self.pending, []
        await self._look_up({event.handle.lower() for event in batch} - self.people.keys())
        rows = []
        for event in batch:
            key = event.handle.lower()
            owners = self.people[key]
            if len(owners) != 1:
                self.unmatched[key] += 1
                self.spelling.setdefault(key, event.handle)
                continue
            rows.append((owners[0], event))
        recorded = await self._insert(rows)
        self.summary.recorded += recorded
        self.summary.already_recorded += len(rows) - recorded

    async def _look_up(self, handles: set[str]) -> None:
        if not handles:
            return
        key = func.lower(Person.github_handle)
        found = await self.session.execute(select(key, Person.id).where(key.in_(handles)))
        for handle in handles:
            self.people[handle] = []
        for handle, person_id in found:
            self.people[handle].append(person_id)

    async def _insert(self, rows: list[tuple[uuid.UUID, ContributionEvent]]) -> int:
        """How many of ``rows`` (whose, what) were new; the others' URLs were recorded already."""
        if not rows:
            return 0
        columns: dict[str, list[Any]] = {name: [] for name in _INSERT_COLUMNS}
        for person_id, event in rows:
            columns["ids"].append(uuid.uuid4())
            columns["people"].append(person_id)
            columns["handles"].append(event.handle)
            columns["repositories"].append(event.repository)
            columns["kinds"].append(event.kind.value)
            columns["urls"].append(event.url)
            columns["times"].append(event.occurred_at)
        result = await self.session.execute(_INSERT, {"tenant": self.tenant_id, **columns})
        return len(result.all())


# One statement of fixed text, whatever the batch's size: arrays, unnested into rows.
_INSERT_COLUMNS = ("ids", "people", "handles", "repositories", "kinds", "urls", "times")
_INSERT = text(
    """INSERT INTO code_contributions
  (tenant_id, id, person_id, github_handle, repository, kind, url, occurred_at)
SELECT :tenant, * FROM unnest(
  CAST(:ids AS uuid[]), CAST(:people AS uuid[]), CAST(:handles AS varchar[]),
  CAST(:repositories AS varchar[]), CAST(:kinds AS varchar[]), CAST(:urls AS varchar[]),
  CAST(:times AS timestamptz[]))
ON CONFLICT (tenant_id, url) DO NOTHING
RETURNING id
"""
)
