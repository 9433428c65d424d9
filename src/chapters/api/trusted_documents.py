"""Trusted documents: the operations in ``graphql/operations/`` -- what the frontend sends --
accepted by their SHA-256 instead of their text (Apollo's persisted queries:
``{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}``, the hash of
the file's text as it is).

A request naming a hash the service does not know is refused with ``PersistedQueryNotFound``
(a client then sends the text); one sending the text with a hash must send the text of that
hash. Any other document keeps working as sent. Each app learns its trusted queries at
start-up (``api.compiled_front.learn``): validated under its limits and planned once, so the
first request of one is already answered by the front door.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from chapters.settings import PROJECT_ROOT

OPERATIONS = PROJECT_ROOT / "graphql" / "operations"
NOT_FOUND = "PersistedQueryNotFound"


class UnusableDocument(ValueError):
    """The request names a document by a hash it cannot be answered with."""


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def trusted_documents(directory: Path = OPERATIONS) -> Mapping[str, str]:
    """Hash -> text of every ``.graphql`` file below ``directory`` (none where it does not
    exist, as in a package installed without the repository)."""
    if not directory.is_dir():
        return {}
    texts = (path.read_text(encoding="utf-8") for path in sorted(directory.rglob("*.graphql")))
    return {document_hash(text): text for text in texts}


def requested_query(query: object, extensions: object) -> object:
    """The query a request asks: its text, else the trusted document its hash names.
    ``UnusableDocument`` for an unknown hash or a text that is not the hash's."""
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if not isinstance(persisted, dict):
        return query
    wanted = persisted.get("sha256Hash")
    if not isinstance(wanted, str) or persisted.get("version", 1) != 1:
        raise UnusableDocument("Unsupported persistedQuery: send version 1 with its sha256Hash.")
    if isinstance(query, str):
        if document_hash(query) != wanted:
            raise UnusableDocument("provided sha does not match query")
        return query
    known = trusted_documents().get(wanted.lower())
    if known is None:
        raise UnusableDocument(NOT_FOUND)
    return known


def with_trusted_query(payload: dict[str, Any]) -> dict[str, Any]:
    """A request body with the text of the trusted document it names (``UnusableDocument``)."""
    if "extensions" not in payload:
        return payload
    return {**payload, "query": requested_query(payload.get("query"), payload["extensions"])}
