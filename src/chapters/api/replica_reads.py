"""Which GraphQL requests read on the replica (``db.replica``), and who their caller is.

Only a request of the GraphQL route whose operation is a query reads there: a mutation, a
batch, a document that does not parse, and every other route (exports, feeds, mail, OAuth)
run on the primary. The operation's type is read from the request before its session opens
(the body is already read), through a small cache of documents' operation types.

A caller is who their token names -- a person, or an API client -- in the tenant; a token of
another issuer stands for itself (its digest). Anonymous requests have no caller: they read
on the replica, and see a write of theirs once the replica has it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from litestar import Request
from litestar.datastructures import Headers

from chapters.api.limits import RejectedInput, decode_request_json
from chapters.api.trusted_documents import UnusableDocument, requested_query
from chapters.auth.bearer import OtherCaller, Verifiers, own_token_claims
from chapters.auth.tokens import AccessClaims
from chapters.lru import LRU

OPERATION_TYPES_KEPT = 1024

# By the digest of a document's text (never the text: it may be large) and operation name.
_operation_types: LRU[tuple[bytes, str | None], OperationType | None] = LRU(OPERATION_TYPES_KEPT)


def requested_operation(request: Request, body: bytes, max_tokens: int) -> OperationType | None:
    """The type of the one operation a GraphQL request asks (a query writes nothing); None
    for anything else (a batch, a document that does not parse, a request in error)."""
    if request.method == "GET":
        fields: Any = request.query_params
        extensions = _json_or_none(fields.get("extensions"))
    elif request.method == "POST":
        try:
            fields = decode_request_json(body)
        except RejectedInput:
            return None
        if not isinstance(fields, dict):
            return None  # a batch, or nothing GraphQL answers
        extensions = fields.get("extensions")
    else:
        return None
    try:
        query = requested_query(fields.get("query"), extensions)
    except UnusableDocument:
        return None
    name = fields.get("operationName") or None
    if not isinstance(query, str) or not (name is None or isinstance(name, str)):
        return None
    return operation_type(query, name, max_tokens)


def operation_type(query: str, name: str | None, max_tokens: int) -> OperationType | None:
    """The type of the operation a request of ``query`` runs; None when there is none."""
    key = (hashlib.sha256(query.encode(errors="surrogatepass")).digest(), name)
    if key in _operation_types:
        return _operation_types.get(key)
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except GraphQLError:
        found = None
    else:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            op
            for op in operations
            if (name is None and len(operations) == 1) or (op.name and op.name.value == name)
        ]
        found = chosen[0].operation if len(chosen) == 1 else None
    _operation_types.put(key, found)
    return found


def _json_or_none(text: str | None) -> Any:
    try:
        return None if text is None else json.loads(text)
    except ValueError:
        return None


def caller_of(headers: Headers, verifiers: Verifiers, tenant_id: uuid.UUID) -> str | None:
    """The request's caller, as the replica's record of recent writes knows them."""
    header = headers.get("authorization")
    if header is None:
        return None
    try:
        claims = own_token_claims(headers, verifiers, tenant_id)
    except OtherCaller:
        claims = None
    return caller_named(tenant_id, claims, header)


def caller_named(tenant_id: uuid.UUID, claims: AccessClaims | None, header: str) -> str:
    """The caller of a request's own token's claims, else of its Authorization header."""
    if claims is None:
        digest = hashlib.sha256(header.encode(errors="surrogatepass")).hexdigest()[:32]
        return f"{tenant_id}:token:{digest}"
    if claims.client_kind is not None:
        return f"{tenant_id}:client:{claims.client_id}"
    return f"{tenant_id}:person:{claims.subject}"
