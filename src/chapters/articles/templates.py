"""The tenant's article templates: sections with guidance for the writer, some required.

Editors and staff define them (``ARTICLE_TEMPLATE_MANAGE``); every signed-in person reads
them, to write from one. A template's sections are given as a list, in order: a given list
replaces the template's (a section keeps its key; articles keep their text per key). A
retired template is no longer offered for new articles; those written from it keep it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.articles.service import acting
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import ArticleKind, ArticleTemplate, ArticleTemplateSection
from chapters.validation import check_texts, clean_text

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 5000
SECTION_TITLE_LIMIT = 200
GUIDANCE_LIMIT = 5000
KEY_LIMIT = 64
MAX_SECTIONS = 30
MAX_MIN_WORDS = 20_000
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME_TAKEN = FieldError("name", ErrorCode.CONFLICT, "A template with this name exists")


@dataclass(frozen=True)
class SectionSpec:
    """A template section as given: its key (what an article's text answers to), title,
    guidance for the writer, whether a submission must fill it, and how long it must be."""

    key: str
    title: str
    guidance: str | None = None
    required: bool = True
    min_words: int | None = None


@dataclass(frozen=True, kw_only=True)
class TemplateFields(Changes):
    name: Change[str | None] = UNSET
    description: Change[str | None] = UNSET
    kind: Change[ArticleKind | None] = UNSET
    sections: Change[Sequence[SectionSpec] | None] = UNSET
    retired: Change[bool | None] = UNSET


async def get_template(
    session: AsyncSession, template_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> ArticleTemplate:
    return await get_row(session, ArticleTemplate, template_id, "Template", field, lock=lock)


def _check_section(index: int, section: SectionSpec, seen: set[str]) -> list[FieldError]:
    at = f"sections.{index}"
    errors: list[FieldError] = []
    key = section.key.strip()
    if len(key) > KEY_LIMIT:
        errors.append(
            FieldError(f"{at}.key", ErrorCode.TOO_LONG, f"Key is over {KEY_LIMIT} characters")
        )
    elif not KEY.match(key):
        message = "Use lowercase letters, digits and _, starting with a letter"
        errors.append(FieldError(f"{at}.key", ErrorCode.INVALID, message))
    elif key in seen:
        errors.append(FieldError(f"{at}.key", ErrorCode.INVALID, "Two sections with this key"))
    seen.add(key)
    if clean_text(section.title) is None:
        errors.append(FieldError(f"{at}.title", ErrorCode.REQUIRED, "A section needs a title"))
    texts = {f"{at}.title": section.title, f"{at}.guidance": section.guidance}
    errors += check_texts(
        texts, {f"{at}.title": SECTION_TITLE_LIMIT, f"{at}.guidance": GUIDANCE_LIMIT}
    )
    if section.min_words is not None and not 1 <= section.min_words <= MAX_MIN_WORDS:
        message = f"Use 1 to {MAX_MIN_WORDS} words, or none"
        errors.append(FieldError(f"{at}.min_words", ErrorCode.INVALID, message))
    return errors


def _checked_sections(sections: Sequence[SectionSpec] | None) -> list[SectionSpec]:
    given = list(sections or ())
    if len(given) > MAX_SECTIONS:
        message = f"At most {MAX_SECTIONS} sections"
        raise InvalidInput(FieldError("sections", ErrorCode.INVALID, message))
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, section in enumerate(given):
        errors += _check_section(index, section, seen)
    if errors:
        raise InvalidInput(*errors)
    return [
        SectionSpec(
            key=section.key.strip(),
            title=clean_text(section.title) or "",
            guidance=clean_text(section.guidance),
            required=section.required,
            min_words=section.min_words,
        )
        for section in given
    ]


def _values(fields: TemplateFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in ("name", "description"):
        if name in values:
            values[name] = clean_text(values[name])
    errors: list[FieldError] = []
    if (creating or "name" in values) and values.get("name") is None:
        errors.append(FieldError("name", ErrorCode.REQUIRED, "A template needs a name"))
    if (creating or "sections" in values) and not values.get("sections"):
        message = "A template needs at least one section"
        errors.append(FieldError("sections", ErrorCode.REQUIRED, message))
    if "retired" in values and values["retired"] is None:
        message = "Say whether the template is retired"
        errors.append(FieldError("retired", ErrorCode.REQUIRED, message))
    errors += check_texts(values, {"name": NAME_LIMIT, "description": DESCRIPTION_LIMIT})
    if errors:
        raise InvalidInput(*errors)
    return values


async def _write_sections(
    session: AsyncSession, template: ArticleTemplate, sections: Sequence[SectionSpec]
) -> None:
    """The template's sections become ``sections``, in order (rows kept by key)."""
    rows = {
        row.key: row
        for row in await session.scalars(
            select(ArticleTemplateSection).where(ArticleTemplateSection.template_id == template.id)
        )
    }
    wanted = {section.key for section in sections}
    for key, row in rows.items():
        if key not in wanted:
            await session.delete(row)
    await session.flush()  # a key given back in the same list is a new row
    for position, section in enumerate(sections):
        values = {
            "title": section.title,
            "guidance": section.guidance,
            "required": section.required,
            "min_words": section.min_words,
            "position": position,
        }
        kept = rows.get(section.key)
        if kept is None:
            session.add(ArticleTemplateSection(template_id=template.id, key=section.key, **values))
        else:
            for name, value in values.items():
                if getattr(kept, name) != value:
                    setattr(kept, name, value)
    await session.flush()


async def create_template(
    session: AsyncSession, principal: Principal | None, fields: TemplateFields
) -> ArticleTemplate:
    (await acting(session, principal)).require(Action.ARTICLE_TEMPLATE_MANAGE)
    values = _values(fields, creating=True)
    sections = _checked_sections(values.pop("sections", None))
    template = ArticleTemplate(**values)
    session.add(template)
    await flush_unique(session, {"uq_article_templates_tenant_id_name": _NAME_TAKEN})
    await _write_sections(session, template, sections)
    return template


async def update_template(
    session: AsyncSession,
    principal: Principal | None,
    template_id: uuid.UUID,
    fields: TemplateFields,
) -> ArticleTemplate:
    """Change a template; ``retired`` retires it or brings it back."""
    (await acting(session, principal)).require(Action.ARTICLE_TEMPLATE_MANAGE)
    template = await get_template(session, template_id, lock=True)
    values = _values(fields, creating=False)
    if "sections" in values:
        sections = _checked_sections(values.pop("sections"))
        await _write_sections(session, template, sections)
    for key, value in values.items():
        setattr(template, key, value)
    await flush_unique(session, {"uq_article_templates_tenant_id_name": _NAME_TAKEN})
    return template
