"""Partial updates: which fields a caller gave, as opposed to the ones left as they are."""

from __future__ import annotations

from typing import Any

UNSET: Any = object()  # "not given" in an update, as opposed to None ("clear it")


class Changes:
    """Base of a service's frozen dataclass of fields, each defaulting to ``UNSET``."""

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if value is not UNSET}

    def given_to_create(self) -> dict[str, Any]:
        """The fields a create was given. There null means the same as leaving the field out,
        so the model's default applies (an empty list, the tenant's timezone …); only an
        update tells "clear it" from "leave it"."""
        return {name: value for name, value in self.given().items() if value is not None}
