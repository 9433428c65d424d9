"""Notification preferences: what each person wants by mail and in the app, in which
language; essential mail stays on; the mail domain reads them (``mail_wanted``, ``locale_of``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Person, Tenant, TenantRole
from chapters.models.notification import MessageKind, Notification
from chapters.notifications.preferences import locale_of, mail_wanted, mail_wanted_by
from tests.support import Api, code_set

READER, OTHER = "reader@x.example", "other@x.example"

PREFERENCES = """{ viewer { notificationPreferences { locale effectiveLocale
  kinds { kind description email inApp essential } } } }"""
UPDATE = """mutation ($input: NotificationPreferencesUpdateInput!) {
  notificationPreferencesUpdate(input: $input) { preferences { locale effectiveLocale
    kinds { kind email inApp essential } } errors { field code message } } }"""


@pytest.fixture
async def tenant(tenants):
    return await tenants.create(
        "prefs", {READER: None, OTHER: None, "ops@x.example": TenantRole.OPS}
    )


def _by_kind(preferences: dict) -> dict[str, dict]:
    return {entry["kind"]: entry for entry in preferences["kinds"]}


def _choices(preferences: dict) -> dict[str, tuple[bool | None, bool | None]]:
    return {entry["kind"]: (entry["email"], entry["inApp"]) for entry in preferences["kinds"]}


async def _session_do(owner_engine, tenant, work):
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        return await work(session)


async def test_everything_is_on_until_turned_off(tenant, client):
    reader = Api(client, tenant, READER)
    preferences = (await reader.data(PREFERENCES))["viewer"]["notificationPreferences"]
    assert preferences["locale"] is None and preferences["effectiveLocale"] == "en"
    kinds = _by_kind(preferences)
    assert set(kinds) == {kind.name for kind in MessageKind}
    recap = kinds["RECAP_PUBLISHED"]
    assert (recap["email"], recap["inApp"], recap["essential"]) == (True, True, False)
    assert recap["description"] == "The recap of an activity you registered for."
    assert kinds["CHAPTER_INVITATION"]["essential"] is True
    assert kinds["REGISTRATION_CONFIRMATION"]["inApp"] is None  # never shown in the app
    assert kinds["ROLE_CHANGED"]["email"] is None  # never mailed


async def test_turning_kinds_off_is_what_mail_reads(tenant, client, owner_engine):
    reader = Api(client, tenant, READER)
    payload = await reader.mutate(
        UPDATE,
        kinds=[
            {"kind": "RECAP_PUBLISHED", "email": False},
            {"kind": "activity_reminder", "email": False},
            {"kind": "CHANGES_REQUESTED", "inApp": False},
        ],
    )
    assert payload["errors"] == []
    kinds = _by_kind(payload["preferences"])
    assert (kinds["RECAP_PUBLISHED"]["email"], kinds["RECAP_PUBLISHED"]["inApp"]) == (False, True)
    assert kinds["ACTIVITY_REMINDER"]["email"] is False
    assert (kinds["CHANGES_REQUESTED"]["email"], kinds["CHANGES_REQUESTED"]["inApp"]) == (
        True,
        False,
    )
    # the same, read again
    again = (await reader.data(PREFERENCES))["viewer"]["notificationPreferences"]
    assert _choices(again) == _choices(payload["preferences"])

    reader_id, other_id = tenant.people[READER].id, tenant.people[OTHER].id

    async def read(session):
        return (
            await mail_wanted(session, reader_id, "recap_published"),
            await mail_wanted(session, reader_id, MessageKind.ACTIVITY_REMINDER),
            await mail_wanted(session, reader_id, "changes_requested"),
            await mail_wanted(session, reader_id, "chapter_invitation"),
            await mail_wanted(session, other_id, "recap_published"),
            await mail_wanted_by(session, [reader_id, other_id], MessageKind.RECAP_PUBLISHED),
        )

    assert await _session_do(owner_engine, tenant, read) == (
        False,
        False,
        True,
        True,
        True,
        {other_id},
    )

    # and back on
    payload = await reader.mutate(UPDATE, kinds=[{"kind": "RECAP_PUBLISHED", "email": True}])
    assert _by_kind(payload["preferences"])["RECAP_PUBLISHED"]["email"] is True

    async def wanted(session):
        return await mail_wanted(session, reader_id, "recap_published")

    assert await _session_do(owner_engine, tenant, wanted) is True


async def test_bad_choices_are_typed_errors_and_change_nothing(tenant, client):
    reader = Api(client, tenant, READER)
    before = (await reader.data(PREFERENCES))["viewer"]["notificationPreferences"]
    payload = await reader.mutate(
        UPDATE,
        locale="fr",
        kinds=[
            {"kind": "RECAP_PUBLISHED", "email": False},  # valid, but with the others: nothing
            {"kind": "no_such_kind", "email": False},
            {"kind": "CHAPTER_INVITATION", "email": False},
            {"kind": "REGISTRATION_CONFIRMATION", "email": False},
            {"kind": "ROLE_CHANGED", "email": False},
            {"kind": "REGISTRATION_CONFIRMATION", "inApp": False},
            {"kind": "recap_published", "inApp": False},
        ],
    )
    assert code_set(payload) == {
        ("locale", "INVALID"),
        ("kinds.1.kind", "INVALID"),
        ("kinds.2.email", "INVALID"),
        ("kinds.3.email", "INVALID"),
        ("kinds.4.email", "INVALID"),
        ("kinds.5.kind", "INVALID"),  # named twice
        ("kinds.6.kind", "INVALID"),
    }
    assert "essential" in next(
        e["message"] for e in payload["errors"] if e["field"] == "kinds.2.email"
    )
    assert payload["preferences"] is None
    after = (await reader.data(PREFERENCES))["viewer"]["notificationPreferences"]
    assert after == before


async def test_the_language_is_the_persons_choice_then_profile_then_tenant(
    tenant, client, owner_engine
):
    reader = Api(client, tenant, READER)
    reader_id = tenant.people[READER].id

    async def set_profile(locale):
        async def work(session):
            await session.execute(
                update(Person).where(Person.id == reader_id).values(locale=locale)
            )

        await _session_do(owner_engine, tenant, work)

    async def set_tenant(locale):
        async def work(session):
            await session.execute(
                update(Tenant).where(Tenant.id == tenant.id).values(default_locale=locale)
            )

        await _session_do(owner_engine, tenant, work)

    async def language():
        async def work(session):
            return await locale_of(session, reader_id)

        return await _session_do(owner_engine, tenant, work)

    assert await language() == "en"
    await set_tenant("zh")
    assert await language() == "zh"  # the tenant's
    await set_profile("en-GB")
    assert await language() == "en"  # the profile's, over the tenant's
    await set_profile("fr")
    assert await language() == "zh"  # not a language messages are written in: the tenant's
    payload = await reader.mutate(UPDATE, locale="zh-CN")
    assert payload["errors"] == []
    assert payload["preferences"]["locale"] == "zh"
    await set_profile("en")
    assert await language() == "zh"  # the person's choice, over their profile's
    payload = await reader.mutate(UPDATE, locale=None)
    assert (payload["preferences"]["locale"], payload["preferences"]["effectiveLocale"]) == (
        None,
        "en",
    )
    assert await language() == "en"


async def test_notifications_read_in_the_readers_language(tenant, client, owner_engine):
    reader = Api(client, tenant, READER)

    async def arrange(session):
        session.add(
            Notification(
                person_id=tenant.people[READER].id,
                kind=MessageKind.ACTIVITY_ACCEPTED,
                data={"activity_title": "Rust Night"},
                created_at=datetime.now(UTC),
            )
        )

    await _session_do(owner_engine, tenant, arrange)
    query = "{ viewer { notifications { edges { node { title body } } } } }"
    (english,) = (await reader.data(query))["viewer"]["notifications"]["edges"]
    assert english["node"] == {
        "title": "Accepted: Rust Night",
        "body": "Central ops accepted Rust Night.",
    }
    assert (await reader.mutate(UPDATE, locale="zh"))["errors"] == []
    (chinese,) = (await reader.data(query))["viewer"]["notifications"]["edges"]
    assert chinese["node"]["title"] == "已通过：Rust Night"  # noqa: RUF001


async def test_only_people_have_preferences(tenant, client):
    anonymous = Api(client, tenant, None)
    assert (await anonymous.data(PREFERENCES))["viewer"] is None
    assert code_set(await anonymous.mutate(UPDATE, locale="en")) == {(None, "FORBIDDEN")}


def test_mail_and_notifications_name_the_same_kinds() -> None:
    from chapters.mail.kinds import ESSENTIAL as MAIL_ESSENTIAL
    from chapters.mail.kinds import MAILED
    from chapters.notifications.kinds import CHANNELS, DESCRIPTIONS, ESSENTIAL, Channel

    assert set(CHANNELS) == set(DESCRIPTIONS) == set(MessageKind)
    # every mail a person may turn off is a kind of the preferences, carried by mail
    optional = {kind.value for kind in MAILED if kind not in MAIL_ESSENTIAL}
    mailed = {kind.value for kind in MessageKind if Channel.EMAIL in CHANNELS[kind]}
    assert optional <= mailed
    assert {kind.value for kind in ESSENTIAL} <= {kind.value for kind in MAIL_ESSENTIAL}
