"""Filter pieces shared by the list queries of every domain."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from chapters.db.pagination import Column


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_text(text: str, *columns: Column) -> ColumnElement[bool]:
    """Rows where any of ``columns`` contains ``text`` (stripped), case-insensitively; ``%``
    and ``_`` in the text match themselves."""
    pattern = f"%{_escape_like(text.strip())}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
