"""Domain errors raised by services and turned into typed GraphQL errors at the edge."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class FieldError:
    """One problem with an input: ``field`` is its path as the service names it (``starts_at``,
    ``participants.2.topic``); the API shows each part camelCased."""

    field: str | None
    code: ErrorCode
    message: str


class DomainError(Exception):
    """An expected failure of a use case; carries the typed errors a client sees."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = list(errors)


class InvalidInput(DomainError):
    pass


class NotFound(DomainError):
    def __init__(self, what: str, field: str | None = "id") -> None:
        super().__init__(FieldError(field, ErrorCode.NOT_FOUND, f"{what} not found"))


class Forbidden(DomainError):
    def __init__(self, action: str) -> None:
        super().__init__(FieldError(None, ErrorCode.FORBIDDEN, f"You are not allowed to {action}"))
        self.action = action
