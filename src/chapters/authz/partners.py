"""What a partner organisation's API client sees: the one place partner scoping is written.

A partner's client holds the ``PARTNER`` role of the policy table; on top of that role, every
answer it gets is narrowed to what is linked to its organisation. Other organisations are
absent (not null); activities are the accepted ones its organisation takes part in; people
never appear. Queries call these helpers instead of testing ``partner_organisation_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, exists

from chapters.auth.principal import Principal
from chapters.models import (
    Activity,
    ActivityOrganisation,
    ActivityStatus,
    Article,
    ArticleAuthor,
    Author,
    Organisation,
)
from chapters.models.partnership import CaseUser, PartnerAgreement


def partner_of(principal: Principal | None) -> uuid.UUID | None:
    """The organisation the caller acts for, when it is a partner's client."""
    return principal.partner_organisation_id if principal is not None else None


def hides_organisation(principal: Principal | None, organisation_id: uuid.UUID) -> bool:
    """A partner's client sees its own organisation only: every other one is absent from its
    answers (an activity's co-hosts, lookups, filters), not shown as null."""
    organisation = partner_of(principal)
    return organisation is not None and organisation != organisation_id


def visible_organisations(organisation: uuid.UUID) -> ColumnElement[bool]:
    """The organisations a partner's client may list: its own."""
    return Organisation.id == organisation


def visible_activities(organisation: uuid.UUID) -> ColumnElement[bool]:
    """The activities a partner's client may read: the accepted ones its organisation takes
    part in."""
    return and_(
        Activity.status == ActivityStatus.ACCEPTED,
        exists().where(
            ActivityOrganisation.tenant_id == Activity.tenant_id,
            ActivityOrganisation.activity_id == Activity.id,
            ActivityOrganisation.organisation_id == organisation,
        ),
    )


def may_read_activity(
    organisation: uuid.UUID, activity: Activity, organisations_taking_part: Collection[uuid.UUID]
) -> bool:
    """``visible_activities`` for one loaded activity."""
    return activity.status == ActivityStatus.ACCEPTED and organisation in organisations_taking_part


def visible_agreements(organisation: uuid.UUID) -> ColumnElement[bool]:
    """The agreements a partner's client may read: its own organisation's."""
    return PartnerAgreement.organisation_id == organisation


def visible_case_users(organisation: uuid.UUID) -> ColumnElement[bool]:
    """The case-user stories a partner's client may read: its own organisation's, published
    or not (the public list of the others is not its business)."""
    return CaseUser.organisation_id == organisation


def may_read_linked(organisation: uuid.UUID, row_organisation_id: uuid.UUID) -> bool:
    """``visible_agreements`` / ``visible_case_users`` for one loaded row."""
    return row_organisation_id == organisation


def visible_articles(organisation: uuid.UUID) -> ColumnElement[bool]:
    """The articles a partner's client may read: those one of its organisation's writers
    co-authors, in whatever state (never the author pool itself)."""
    return exists().where(
        ArticleAuthor.tenant_id == Article.tenant_id,
        ArticleAuthor.article_id == Article.id,
        Author.tenant_id == ArticleAuthor.tenant_id,
        Author.id == ArticleAuthor.author_id,
        Author.organisation_id == organisation,
    )
