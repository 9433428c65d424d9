"""Authorization: who may do what (``policy``, the one table) and what a partner's client sees
(``partners``). Services call ``authz.require`` / ``authz.can``; GraphQL types never decide.
"""

from chapters.authz.partners import hides_organisation, partner_of
from chapters.authz.policy import (
    POLICY,
    TENANT_RANK,
    Action,
    Role,
    can,
    can_see_activity_summary,
    can_see_email,
    can_see_person,
    chapter_ids_led_by,
    co_hosts_matter,
    linkable_by_verified_email,
    organisers_matter,
    outranks,
    require,
    require_caller,
    require_power_over,
    roles_of,
)

__all__ = [
    "POLICY",
    "TENANT_RANK",
    "Action",
    "Role",
    "can",
    "can_see_activity_summary",
    "can_see_email",
    "can_see_person",
    "chapter_ids_led_by",
    "co_hosts_matter",
    "hides_organisation",
    "linkable_by_verified_email",
    "organisers_matter",
    "outranks",
    "partner_of",
    "require",
    "require_caller",
    "require_power_over",
    "roles_of",
]
