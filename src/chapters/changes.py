"""Partial updates: which fields a caller gave, as opposed to the ones left as they are.

A service's update takes a frozen dataclass of ``Change[...]`` fields, each defaulting to
``UNSET``: ``title: Change[str] = UNSET`` is a new title, or "leave it"; ``venue:
Change[str | None] = UNSET`` may also be None, "clear it".
"""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar, Union

T = TypeVar("T")


class Unset(enum.Enum):
    """The type of ``UNSET``: a field of an update the caller did not give."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET
Change: TypeAlias = Union[T, Literal[Unset.UNSET]]  # noqa: UP007 (subscripted at run time)


class Changes:
    """Base of a service's frozen dataclass of fields, each defaulting to ``UNSET``."""

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if value is not UNSET}

    def given_to_create(self) -> dict[str, Any]:
        """The fields a create was given. There null means the same as leaving the field out,
        so the model's default applies (an empty list, the tenant's timezone …); only an
        update tells "clear it" from "leave it"."""
        return {name: value for name, value in self.given().items() if value is not None}
