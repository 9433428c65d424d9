"""Small input checks shared by services; each returns the field errors it finds (``checked_text``
raises them), naming fields as the service does (``starts_at``, ``links.0.url``; the API shows them camelCased)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeGuard
from urllib.parse import urlparse
from zoneinfo import available_timezones

from chapters.errors import ErrorCode, FieldError, InvalidInput

_TIMEZONES = frozenset(available_timezones())
LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate cannot be encoded as UTF-8.
_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
WEB_URL_LIMIT = 2000


def is_storable(value: object) -> TypeGuard[str]:
    """A string PostgreSQL can store and compare: no NUL, no lone surrogate. Text checked
    against the database must be, or the lookup fails instead of finding nothing."""
    return isinstance(value, str) and _UNSTORABLE_CHARACTER.search(value) is None


def label(field: str) -> str:
    """How a message names a field: ``starts_at`` is "Starts at", ``links.0.url`` is "Url"."""
    name = field.rsplit(".", 1)[-1].replace("_", " ")
    return name[:1].upper() + name[1:]


def required_text(value: str | None, field: str, limit: int) -> list[FieldError]:
    if value is None or not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{label(field)} cannot be empty")]
    return check_length(value, field, limit)


def check_length(value: str | None, field: str, limit: int) -> list[FieldError]:
    if value is not None and len(value.strip()) > limit:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{label(field)} is over {limit} characters")]
    return []


def clean_text(value: str | None) -> str | None:
    """Trimmed text; blank means absent."""
    if value is None:
        return None
    return value.strip() or None


def check_texts(values: Mapping[str, Any], limits: Mapping[str, int]) -> list[FieldError]:
    """The texts of ``values`` that ``limits`` names: each within its limit and storable."""
    errors: list[FieldError] = []
    for name, limit in limits.items():
        value = values.get(name)
        errors += check_length(value, name, limit)
        if value is not None and not is_storable(value):
            errors.append(FieldError(name, ErrorCode.INVALID, "Not storable text"))
    return errors


def checked_text(value: str | None, field: str, limit: int) -> str | None:
    """``value`` cleaned (``clean_text``); ``InvalidInput`` when too long or not storable."""
    errors = check_texts({field: value}, {field: limit})
    if errors:
        raise InvalidInput(*errors)
    return clean_text(value)


def check_timezone(value: str, field: str) -> list[FieldError]:
    if value in _TIMEZONES:
        return []
    return [FieldError(field, ErrorCode.INVALID, f"Unknown IANA timezone {value!r}")]


def check_locale(value: str, field: str) -> list[FieldError]:
    if len(value) > 16:
        return [FieldError(field, ErrorCode.TOO_LONG, "Locale is over 16 characters")]
    if not LOCALE.match(value):
        return [FieldError(field, ErrorCode.INVALID, "Use a BCP 47 tag such as en or zh-CN")]
    return []


def check_email(value: str, field: str = "email") -> list[FieldError]:
    if len(value) > 320:
        return [FieldError(field, ErrorCode.TOO_LONG, "Email is over 320 characters")]
    if not EMAIL.match(value):
        return [FieldError(field, ErrorCode.INVALID, "Not a valid email address")]
    return []


def check_date_order(starts: date | None, ends: date | None, field: str) -> list[FieldError]:
    if starts is not None and ends is not None and ends < starts:
        return [FieldError(field, ErrorCode.INVALID, "Cannot end before it starts")]
    return []


def check_web_url(value: str | None, field: str) -> list[FieldError]:
    """An http or https address, or nothing."""
    if value is None:
        return []
    if len(value) > WEB_URL_LIMIT:
        return [FieldError(field, ErrorCode.TOO_LONG, f"URL is over {WEB_URL_LIMIT} characters")]
    try:
        url = urlparse(value)
        _ = url.port  # a malformed port raises here
    except ValueError:
        url = None
    if (
        url is None
        or url.scheme not in {"http", "https"}
        or not url.hostname
        or any(character.isspace() for character in value)
        or not is_storable(value)
    ):
        return [FieldError(field, ErrorCode.INVALID, "Use an http or https URL")]
    return []
