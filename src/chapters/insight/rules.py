"""The tenant's definitions of activity and health: one value per rule, each with a default.

Stored in ``tenants.settings["health_rules"]`` as the values the tenant changed; every figure
the insight layer answers names the rules it was computed with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from chapters.errors import ErrorCode, FieldError


@dataclass(frozen=True)
class HealthRules:
    # a person is inactive after this many days without taking part or holding a seat
    inactive_after_days: int = 90
    # a chapter without an accepted activity for this many days is at risk …
    at_risk_after_days: int = 90
    # … and for this many, a candidate to be declared dormant
    dormant_after_days: int = 180
    # below this share of recaps published (of those due), a chapter needs attention
    min_recap_compliance: float = 0.8
    # a chapter without an active lead needs attention
    lead_required: bool = True
    # below this many people, a figure is not broken down by person for non-staff callers
    min_group_size: int = 5
    # code contributions count as taking part (a person who only commits is active)
    code_counts_as_active: bool = True


DEFAULT_RULES = HealthRules()
SETTINGS_KEY = "health_rules"
RULE_NAMES = tuple(f.name for f in dataclasses.fields(HealthRules))

# name → (lowest, highest) accepted value, for the numeric rules
_RANGES: dict[str, tuple[float, float]] = {
    "inactive_after_days": (7, 3650),
    "at_risk_after_days": (7, 3650),
    "dormant_after_days": (7, 3650),
    "min_recap_compliance": (0.0, 1.0),
    "min_group_size": (1, 1000),
}


def rules_from_settings(settings: dict[str, Any]) -> HealthRules:
    """The tenant's rules: its stored values over the defaults (unknown keys ignored)."""
    stored = settings.get(SETTINGS_KEY) or {}
    return dataclasses.replace(
        DEFAULT_RULES, **{name: stored[name] for name in RULE_NAMES if name in stored}
    )


def changed_rules(current: HealthRules, changes: dict[str, Any]) -> HealthRules:
    """``current`` with ``changes`` applied; a None value means back to the default."""
    values = {
        name: getattr(DEFAULT_RULES, name) if value is None else value
        for name, value in changes.items()
    }
    return dataclasses.replace(current, **values)


def stored_form(rules: HealthRules) -> dict[str, Any]:
    """What the tenant's settings keep: only the values that differ from the defaults."""
    return {
        name: getattr(rules, name)
        for name in RULE_NAMES
        if getattr(rules, name) != getattr(DEFAULT_RULES, name)
    }


def validate_rules(rules: HealthRules, field: str = "health_rules") -> list[FieldError]:
    errors = []
    for name, (lowest, highest) in _RANGES.items():
        value = getattr(rules, name)
        if not lowest <= value <= highest:
            errors.append(
                FieldError(f"{field}.{name}", ErrorCode.INVALID, f"Use {lowest} to {highest}")
            )
    if rules.dormant_after_days <= rules.at_risk_after_days:
        errors.append(
            FieldError(
                f"{field}.dormant_after_days",
                ErrorCode.INVALID,
                "A chapter is a dormant candidate later than it is at risk",
            )
        )
    return errors
