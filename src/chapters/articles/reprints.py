"""Permission to reprint an article found elsewhere: the request to its author (where it
appeared, whom we asked and how to reach them, when, the terms we offer) and their answer
(granted, declined or no answer, when, and the terms they set: attribution, a link back …).

Editors and staff keep them (``REPRINT_MANAGE``). A reprint is published only once a request
was granted (``articles.pipeline``); an answer may be corrected (the author granted it after
all, or took it back).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.articles.service import (
    acting,
    get_article,
    latest_today,
    utc_now,
)
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import ArticleSource, ReprintPermission, ReprintStatus, ReprintTerm
from chapters.validation import check_texts, check_web_url, clean_text

CONTACT_LIMIT = 500
TERMS_NOTE_LIMIT = 5000
ANSWERS = frozenset({ReprintStatus.GRANTED, ReprintStatus.DECLINED, ReprintStatus.NO_ANSWER})


@dataclass(frozen=True, kw_only=True)
class PermissionRequest:
    contact: str | None = None  # how the author was reached: an address, a profile …
    source_url: str | None = None  # default: where the article says it first appeared
    requested_on: date | None = None  # default: today (UTC)
    terms: Sequence[ReprintTerm] | None = None  # the terms offered
    terms_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class PermissionAnswer:
    status: ReprintStatus
    answered_on: date | None = None  # default: today (UTC)
    terms: Sequence[ReprintTerm] | None = None  # the terms they set (None: as requested)
    terms_note: str | None = None  # None: as it was


def _check_day(day: date, field: str) -> list[FieldError]:
    if day > latest_today():
        return [FieldError(field, ErrorCode.INVALID, "Cannot lie ahead")]
    return []


def _terms(terms: Sequence[ReprintTerm]) -> list[str]:
    return [term.value for term in dict.fromkeys(terms)]


async def request_permission(
    session: AsyncSession,
    principal: Principal | None,
    article_id: uuid.UUID,
    request: PermissionRequest,
) -> ReprintPermission:
    """Record that the author of a reprint was asked for permission."""
    me = (await acting(session, principal)).require(Action.REPRINT_MANAGE)
    article = await get_article(session, article_id, "article_id", lock=True)
    contact, note = clean_text(request.contact), clean_text(request.terms_note)
    source_url = clean_text(request.source_url) or article.source_url
    requested_on = request.requested_on or utc_now().date()
    texts = {"contact": request.contact, "terms_note": request.terms_note}
    errors = check_texts(texts, {"contact": CONTACT_LIMIT, "terms_note": TERMS_NOTE_LIMIT})
    if contact is None and not errors:
        message = "Say how the author was reached"
        errors.append(FieldError("contact", ErrorCode.REQUIRED, message))
    errors += check_web_url(source_url, "source_url")
    errors += _check_day(requested_on, "requested_on")
    if errors:
        raise InvalidInput(*errors)
    if article.source != ArticleSource.REPRINT or source_url is None:
        message = "Only a reprint needs its author's permission"
        raise InvalidInput(FieldError("article_id", ErrorCode.CONFLICT, message))
    assert contact is not None
    permission = ReprintPermission(
        article_id=article.id,
        source_url=source_url,
        contact=contact,
        requested_on=requested_on,
        requested_by_id=me.person_id,
        status=ReprintStatus.REQUESTED,
        terms=_terms(request.terms or ()),
        terms_note=note,
    )
    session.add(permission)
    await session.flush()
    return permission


async def answer_permission(
    session: AsyncSession,
    principal: Principal | None,
    permission_id: uuid.UUID,
    answer: PermissionAnswer,
) -> ReprintPermission:
    """Record the author's answer: granted, declined, or none (given up asking)."""
    (await acting(session, principal)).require(Action.REPRINT_MANAGE)
    permission = await get_row(
        session, ReprintPermission, permission_id, "Reprint permission", "id", lock=True
    )
    answered_on = answer.answered_on or utc_now().date()
    errors = check_texts({"terms_note": answer.terms_note}, {"terms_note": TERMS_NOTE_LIMIT})
    if answer.status not in ANSWERS:
        message = "Answer GRANTED, DECLINED or NO_ANSWER"
        errors.append(FieldError("status", ErrorCode.INVALID, message))
    errors += _check_day(answered_on, "answered_on")
    if answered_on < permission.requested_on:
        message = "Cannot be answered before it was asked"
        errors.append(FieldError("answered_on", ErrorCode.INVALID, message))
    if errors:
        raise InvalidInput(*errors)
    permission.status = answer.status
    permission.answered_on = answered_on
    if answer.terms is not None:
        permission.terms = _terms(answer.terms)
    if answer.terms_note is not None:
        permission.terms_note = clean_text(answer.terms_note)
    await session.flush()
    return permission
