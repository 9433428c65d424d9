"""What of a recorded change an audit reader may see: the one rule, read from the models.

Columns carry their markers once, on the model (``mapped_column(..., info={...})``, or the
table's ``info`` for every column of a table):

- ``{"secret": True}``: never written into the audit log, not even hashed. The recorder keeps
  only that a value was set or changed (``SECRET_MARK``), and entries recorded before this
  rule are masked the same way when read.
- ``{"visible_to": "ACTION"}``: the name of the ``chapters.authz.Action`` a caller needs to
  see the value on the object; an audit entry shows the field only to the same callers.

A rule that depends on the object (the person's own identities, a chapter's lead) is checked
against the person and chapter the entry itself names: the object when it is a person or a
chapter, else its recorded ``person_id`` / ``chapter_id``. An entry that records neither gets
no such role, so the field stays hidden unless a tenant-wide role allows it.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.models import AuditEntry, Base

SECRET_MARK = "[secret]"
SECRET, VISIBLE_TO = "secret", "visible_to"
# Never recorded: the tenant is the log's own, the timestamps are the entry's.
UNRECORDED_FIELDS = frozenset({"tenant_id", "created_at", "updated_at"})


@dataclass(frozen=True)
class ColumnRule:
    secret: bool = False
    visible_to: Action | None = None

    @property
    def marked(self) -> bool:
        return self.secret or self.visible_to is not None


def rule_of(column: Column[Any]) -> ColumnRule:
    """The column's own markers over its table's."""
    info = {**column.table.info, **column.info}
    action = info.get(VISIBLE_TO)
    return ColumnRule(secret=bool(info.get(SECRET)), visible_to=Action[action] if action else None)


def marked_columns() -> list[tuple[type[Base], Column[Any], ColumnRule]]:
    """Every recorded column marked secret or restricted: the model, the column, its rule.
    (The primary key is the entry's object id, shown to every reader of the log.)"""
    marked: list[tuple[type[Base], Column[Any], ColumnRule]] = []
    for mapper in Base.registry.mappers:
        for attribute in mapper.column_attrs:
            column = attribute.columns[0]
            if attribute.key in UNRECORDED_FIELDS or not isinstance(column, Column):
                continue
            rule = rule_of(column)
            if not column.primary_key and rule.marked:
                marked.append((mapper.class_, column, rule))
    return marked


@functools.cache
def rules_by_model() -> dict[str, dict[str, ColumnRule]]:
    """Model name (the audit entry's ``object_type``) → attribute name → its marked rule."""
    rules: dict[str, dict[str, ColumnRule]] = {}
    for model, column, rule in marked_columns():
        key = model.__mapper__.get_property_by_column(column).key
        rules.setdefault(model.__name__, {})[key] = rule
    return rules


def masked(value: Any) -> str | None:
    """What the log keeps of a secret: that there was one."""
    return None if value is None else SECRET_MARK


def recorded(object_type: str, key: str, before: Any, after: Any) -> list[Any]:
    """The values the recorder writes for one changed column."""
    rule = rules_by_model().get(object_type, {}).get(key)
    if rule is not None and rule.secret:
        return [masked(before), masked(after)]
    return [before, after]


def visible_fields(principal: Principal | None, entry: AuditEntry) -> dict[str, list[Any]]:
    """The entry's recorded fields that ``principal`` may see, secrets masked."""
    fields: dict[str, list[Any]] = (entry.changes or {}).get("fields") or {}
    rules = rules_by_model().get(entry.object_type, {})
    person_id = _named(entry, fields, "Person", "person_id")
    chapter_id = _named(entry, fields, "Chapter", "chapter_id")
    shown: dict[str, list[Any]] = {}
    for name, values in fields.items():
        rule = rules.get(name, ColumnRule())
        if rule.visible_to is not None and not authz.can(
            principal, rule.visible_to, person_id=person_id, chapter_id=chapter_id
        ):
            continue
        shown[name] = [masked(v) for v in values] if rule.secret else values
    return shown


def _named(
    entry: AuditEntry, fields: dict[str, list[Any]], object_type: str, key: str
) -> uuid.UUID | None:
    """The person (or chapter) the entry names: its object when it is one, else the id it
    recorded in ``key``."""
    if entry.object_type == object_type:
        return entry.object_id
    before, after = fields.get(key) or (None, None)
    try:
        return uuid.UUID(str(after or before)) if (after or before) else None
    except ValueError:
        return None
