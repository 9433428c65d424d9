"""Writing iCalendar (RFC 5545) text quickly: escaping, line folding, date-times and
VTIMEZONE components.

Building thousands of events as ``icalendar`` components costs milliseconds per hundred
events; a feed is written here line by line instead, with the same rules: TEXT values
escaped (backslash, semicolon, comma, newline), control characters dropped, every line
folded at 75 octets (never inside a UTF-8 sequence or an escape pair) and ended with CRLF.
The VTIMEZONE components, which are intricate, come from ``icalendar`` itself, cached.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

log = logging.getLogger("chapters.feeds")

CRLF = "\r\n"
LINE_OCTETS = 75

# Control characters TEXT may not carry (RFC 5545 3.3.11 allows HTAB; newlines are escaped).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_PARAMETER_UNSAFE = re.compile('[";:,\x00-\x1f\x7f]')


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    value = _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def uri(value: str) -> str:
    """A URI value as written (it is not TEXT: no escaping), without what cannot be in a line."""
    return _CONTROLS.sub("", value.replace("\r", "").replace("\n", ""))


def parameter(value: str) -> str:
    """A parameter value, quoted when it holds a character that would end it."""
    if _PARAMETER_UNSAFE.search(value) is None:
        return value
    return '"' + _CONTROLS.sub("", value.replace('"', "'")) + '"'


def fold(line: str) -> str:
    """``line`` folded (RFC 5545 3.1): pieces of at most 75 octets, joined by CRLF and a space;
    a UTF-8 sequence or a backslash escape is never cut."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    raw = line.encode()
    if len(raw) <= LINE_OCTETS:
        return line
    pieces: list[bytes] = []
    start, limit, length = 0, LINE_OCTETS, len(raw)
    while length - start > limit:
        cut = start + limit
        while raw[cut] & 0xC0 == 0x80:  # inside a UTF-8 sequence: cut before it
            cut -= 1
        if raw[cut - 1] == 0x5C and _escapes_at(raw, start, cut - 1):
            cut -= 1  # keep "\;" "\," "\\" "\n" whole: some readers unescape before unfolding
        pieces.append(raw[start:cut])
        start, limit = cut, LINE_OCTETS - 1  # the leading space counts
    pieces.append(raw[start:])
    return b"\r\n ".join(pieces).decode()


def _escapes_at(raw: bytes, start: int, position: int) -> bool:
    """Whether the backslash at ``position`` starts an escape (an odd run of backslashes)."""
    run = 0
    while position - run >= start and raw[position - run] == 0x5C:
        run += 1
    return run % 2 == 1


def utc_stamp(moment: datetime) -> str:
    """A UTC DATE-TIME: ``20260115T110000Z``."""
    if moment.tzinfo is not UTC:  # the driver's are UTC already
        moment = moment.astimezone(UTC)
    return local_stamp(moment) + "Z"


def local_stamp(moment: datetime) -> str:
    """A local DATE-TIME (read with its TZID): ``20260115T190000``."""
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


@lru_cache(maxsize=512)
def zone(tzid: str) -> ZoneInfo | None:
    """The IANA zone named ``tzid``; None for a name this machine does not know."""
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r: its events are written in UTC", tzid)
        return None


@lru_cache(maxsize=1024)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of ``tzid`` covering ``first_year`` to ``last_year`` (its folded lines,
    CRLF-ended), as ``icalendar`` builds it from the zone's transitions."""
    component = icalendar.Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    text: str = component.to_ical().decode()
    return text if text.endswith(CRLF) else text + CRLF
