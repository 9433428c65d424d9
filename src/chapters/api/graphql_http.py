"""GraphQL over HTTP (the GraphQL Foundation's specification, draft): which media type a
response uses and which request bodies are accepted. ``app.py`` applies these rules.

- The response uses ``application/graphql-response+json`` or ``application/json``, whichever
  the ``Accept`` header ranks higher; on a tie, ``application/graphql-response+json`` when the
  header names it, else ``application/json`` (so ``*/*`` and no ``Accept`` at all keep the
  legacy type). An ``Accept`` allowing neither is a 406.
- With ``application/graphql-response+json``, a request error (a document that does not parse
  or validate, an operation that cannot be chosen, variables that cannot be coerced, a limit)
  is a 4xx whose body has no ``data`` entry; once execution started the answer is a 200 with
  ``data``, field errors or not.
- With ``application/json`` the same status codes are used (the specification allows 4xx for
  legacy servers, and clients of this API already rely on them); ``data`` stays, ``null``.
- A POST body must be ``application/json`` (UTF-8): anything else, or no ``Content-Type``, is
  a 415. GET runs queries only: a mutation over GET is a 405 with ``Allow: POST``.
"""

from __future__ import annotations

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
RESPONSE_MEDIA_TYPES = (GRAPHQL_RESPONSE_JSON, JSON)
# The specificity of a media range naming the type itself (type/* is 1, */* is 0).
EXACT = 2
# At most this many media ranges of an Accept header are read (the rest is ignored).
MAX_ACCEPT_RANGES = 32


class NotAcceptable(ValueError):
    """The Accept header allows none of the response media types (a 406)."""


class UnsupportedMediaType(ValueError):
    """The request body is not in a media type the server reads (a 415)."""


def response_media_type(accept: str | None) -> str:
    """The media type of the answer to a request with this ``Accept`` header."""
    if accept is None or not accept.strip():
        return JSON
    ours, legacy = _ranked(accept)
    if max(ours[0], legacy[0]) <= 0:
        raise NotAcceptable(
            f"This endpoint answers {GRAPHQL_RESPONSE_JSON} or {JSON}; "
            "the Accept header allows neither."
        )
    if ours != legacy:
        return GRAPHQL_RESPONSE_JSON if ours > legacy else JSON
    return GRAPHQL_RESPONSE_JSON if ours[1] == EXACT else JSON


def _ranked(accept: str) -> tuple[tuple[float, int], tuple[float, int]]:
    """(quality, specificity) of each response media type under the header: the quality of
    the most specific range that matches it (RFC 9110, 12.5.1); (0, -1) when none does."""
    ranked = {media: (0.0, -1) for media in RESPONSE_MEDIA_TYPES}
    for media_range in accept.split(",")[:MAX_ACCEPT_RANGES]:
        name, params = _media_and_params(media_range)
        for media in RESPONSE_MEDIA_TYPES:
            specificity = _specificity(name, media)
            if specificity > ranked[media][1]:
                ranked[media] = (_quality(params), specificity)
    return ranked[GRAPHQL_RESPONSE_JSON], ranked[JSON]


def _specificity(media_range: str, media: str) -> int:
    if media_range == media:
        return EXACT
    if media_range == media.split("/")[0] + "/*":
        return 1
    return 0 if media_range == "*/*" else -1


def _quality(params: dict[str, str]) -> float:
    try:
        quality = float(params.get("q", "1"))
    except ValueError:
        return 0.0
    return quality if 0 <= quality <= 1 else 0.0


def _media_and_params(value: str) -> tuple[str, dict[str, str]]:
    name, *parts = value.split(";")
    params = {}
    for part in parts:
        key, _, param = part.partition("=")
        params[key.strip().lower()] = param.strip().strip('"').lower()
    return name.strip().lower(), params


def content_type(media_type: str) -> str:
    """The Content-Type of a response in ``media_type``."""
    return f"{media_type}; charset=utf-8" if media_type == GRAPHQL_RESPONSE_JSON else media_type


def check_request_content_type(content_type: str | None) -> None:
    """A POST body must be JSON in UTF-8 (the only request media type the spec recognises)."""
    if not content_type:
        raise UnsupportedMediaType(f"Send the request body as {JSON} (no Content-Type given).")
    name, params = _media_and_params(content_type)
    if name != JSON:
        raise UnsupportedMediaType(f"Send the request body as {JSON}, not {name}.")
    if params.get("charset", "utf-8") != "utf-8":
        raise UnsupportedMediaType("The request body must be encoded in UTF-8.")
