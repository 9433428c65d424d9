"""Signing secrets are stored sealed: a read of the table (the owner, plain SQL, no row-level
filter of the app in the way) shows no secret, yet deliveries still verify at a receiver, under
both secrets during a rotation. A secret no key opens fails its delivery, logged, and rotating
is the way out. CHAPTERS_SECRET_KEYS adds keys without losing what the derived key sealed, and
the migration seals the secrets already stored."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from standardwebhooks.webhooks import Webhook

from chapters import secretbox
from chapters.auth.keys import secret_material
from chapters.db.admin import scratch_database
from chapters.db.migrations import alembic_config
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.secretbox import SecretBox, UnreadableSecret
from chapters.settings import SettingsError, load_settings
from chapters.tenants.admin import ensure_tenant
from chapters.webhooks.delivery import NO_READABLE_SECRET
from tests.webhooks.conftest import (
    accept_activity,
    create_endpoint,
    deliveries,
    drain,
    make_due,
    url_of,
)

ROTATE = """
mutation($id: ID!) {
  webhookEndpointRotateSecret(id: $id) { secret errors { field code } }
}"""
BEFORE = "cf6b8dae4c75"  # the revision before secrets were sealed
SEALED = "d07c9e1f5a86"


async def stored_rows(owner_engine, tenant_id: uuid.UUID) -> list[str]:
    """The tenant's webhook_secrets rows, every column, as JSON text."""
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant_id) as session:
        rows = await session.scalars(text("SELECT row_to_json(s)::text FROM webhook_secrets s"))
        return list(rows.all())


async def sealed_values(owner_engine, tenant_id: uuid.UUID) -> list[str]:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant_id) as session:
        rows = await session.scalars(
            text("SELECT sealed_secret FROM webhook_secrets ORDER BY created_at")
        )
        return list(rows.all())


def service_box(keys, settings) -> SecretBox:
    """What the API and the worker seal and open with."""
    return SecretBox(secret_material(keys), settings.secret_keys)


@pytest.fixture
def restore_secret_key(keys, webhook_settings) -> Iterator[None]:
    """A test that starts a worker with other keys: the module's API process keeps the ones it
    started with afterwards."""
    yield
    secretbox.set_secret_key(secret_material(keys), webhook_settings.secret_keys)


async def test_the_table_holds_no_secret_and_deliveries_verify_during_a_rotation(
    world, receiver, owner_engine, app_engine, webhook_settings, urls, keys
):
    endpoint_id, old = await create_endpoint(world.admin, url_of(receiver))
    rotated = (await world.admin.data(ROTATE, {"id": endpoint_id}))["webhookEndpointRotateSecret"]
    new = rotated["secret"]

    rows = await stored_rows(owner_engine, world.tenant.id)
    assert len(rows) == 2
    for row in rows:
        assert "whsec_" not in row
        for secret in (old, new):
            assert secret.removeprefix("whsec_") not in row
    box = service_box(keys, webhook_settings)
    assert [box.unseal(value) for value in await sealed_values(owner_engine, world.tenant.id)] == [
        old,
        new,
    ]

    receiver.secrets = [old]  # a receiver that has not switched yet
    await accept_activity(owner_engine, world, "Sealed secrets")
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    [arrival] = receiver.arrivals
    assert arrival.verified
    for secret in (old, new):
        assert Webhook(secret).verify(arrival.body, arrival.headers) == arrival.payload


@pytest.mark.parametrize("damage", ["another key", "damaged"])
async def test_a_secret_no_key_opens_fails_its_delivery_with_a_logged_reason(
    damage, world, receiver, owner_engine, app_engine, webhook_settings, urls, caplog
):
    endpoint_id, secret = await create_endpoint(world.admin, url_of(receiver))
    [sealed] = await sealed_values(owner_engine, world.tenant.id)
    unreadable = (
        Fernet(Fernet.generate_key()).encrypt(secret.encode()).decode()
        if damage == "another key"
        else sealed[:-8] + ("A" if sealed[-8] != "A" else "B") + sealed[-7:]
    )
    async with open_tenant_session(tenant_sessionmaker(owner_engine), world.tenant.id) as session:
        await session.execute(
            text("UPDATE webhook_secrets SET sealed_secret = :v"), {"v": unreadable}
        )
        await session.commit()
    receiver.secrets = [secret]

    await accept_activity(owner_engine, world, "Unreadable secret")
    with caplog.at_level(logging.ERROR, logger="chapters.webhooks.delivery"):
        await drain(webhook_settings, urls, app_engine, world.tenant.id)  # the worker goes on
    assert receiver.arrivals == []
    [waiting] = await deliveries(world.admin, endpoint_id)
    assert (waiting["status"], waiting["attempts"]) == ("PENDING", 1)
    assert waiting["lastError"] == NO_READABLE_SECRET
    logged = [r.getMessage() for r in caplog.records if r.name == "chapters.webhooks.delivery"]
    assert any("cannot be unsealed" in message for message in logged)
    assert any(NO_READABLE_SECRET in message for message in logged)

    # Rotating gives the endpoint a secret the service can open: the next attempt is signed
    # with it alone (the unreadable one is left out during the overlap).
    new = (await world.admin.data(ROTATE, {"id": endpoint_id}))["webhookEndpointRotateSecret"][
        "secret"
    ]
    receiver.secrets = [new]
    assert await make_due(app_engine, world.tenant.id) == 1
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    [arrival] = receiver.arrivals
    assert arrival.verified and len(arrival.headers["webhook-signature"].split(" ")) == 1
    [delivered] = await deliveries(world.admin, endpoint_id)
    assert (delivered["status"], delivered["attempts"]) == ("SUCCEEDED", 2)


async def test_listed_secret_keys_seal_new_secrets_and_the_derived_key_still_opens_old_ones(
    world, receiver, owner_engine, app_engine, webhook_settings, urls, keys, restore_secret_key
):
    listed = Fernet.generate_key().decode()
    with_keys = dataclasses.replace(webhook_settings, secret_keys=(listed,))
    _, first = await create_endpoint(world.admin, url_of(receiver))  # the derived key
    receiver.secrets = [first]
    await accept_activity(owner_engine, world, "Keys listed")
    await drain(with_keys, urls, app_engine, world.tenant.id)  # a worker with the listed key
    [arrival] = receiver.arrivals
    assert arrival.verified

    # Sealed by a process that lists the key: the listed key opens it, the derived alone not.
    secretbox.set_secret_key(secret_material(keys), with_keys.secret_keys)
    _, second = await create_endpoint(world.admin, url_of(receiver))
    stored = await sealed_values(owner_engine, world.tenant.id)
    assert Fernet(listed.encode()).decrypt(stored[-1].encode()).decode() == second
    with pytest.raises(UnreadableSecret):
        service_box(keys, webhook_settings).unseal(stored[-1])
    assert service_box(keys, with_keys).unseal(stored[0]) == first


def test_the_first_listed_key_seals_and_every_listed_key_opens() -> None:
    material = b"the service's key material"
    previous, current = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    derived_only = SecretBox(material)
    before = SecretBox(material, [previous])
    after = SecretBox(material, [current, previous])  # rotated: the previous key listed second

    by_derived = derived_only.seal("whsec_one")
    by_previous = before.seal("whsec_two")
    by_current = after.seal("whsec_three")
    assert "whsec_" not in by_derived + by_previous + by_current
    assert after.unseal(by_derived) == "whsec_one"
    assert after.unseal(by_previous) == "whsec_two"
    assert after.unseal(by_current) == "whsec_three"
    with pytest.raises(UnreadableSecret):
        before.unseal(by_current)
    with pytest.raises(UnreadableSecret):
        SecretBox(b"another deployment's key material").unseal(by_derived)
    with pytest.raises(UnreadableSecret):
        after.unseal("not a sealed value")


def test_secret_keys_are_read_from_the_environment(monkeypatch) -> None:
    one, two = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("CHAPTERS_SECRET_KEYS", f"{one}, {two}")
    assert load_settings().secret_keys == (one, two)
    monkeypatch.setenv("CHAPTERS_SECRET_KEYS", f"{one},too-short")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "key 2" in str(refused.value) and "too-short" not in str(refused.value)
    monkeypatch.delenv("CHAPTERS_SECRET_KEYS")
    assert load_settings().secret_keys == ()


async def _store_plain_secret(owner_url: str, secret: str) -> uuid.UUID:
    """A tenant with one endpoint whose secret is stored the old way, in clear."""
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        tenant_id, _ = await ensure_tenant(engine, slug="sealing", name="Sealing")
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
            endpoint_id = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO webhook_endpoints (tenant_id, id, url)"
                    " VALUES (:t, :id, 'https://hooks.example/in')"
                ),
                {"t": tenant_id, "id": endpoint_id},
            )
            await conn.execute(
                text(
                    "INSERT INTO webhook_secrets (tenant_id, id, endpoint_id, secret)"
                    " VALUES (:t, :id, :e, :secret)"
                ),
                {"t": tenant_id, "id": uuid.uuid4(), "e": endpoint_id, "secret": secret},
            )
    finally:
        await engine.dispose()
    return tenant_id


async def _stored(owner_url: str, tenant_id: uuid.UUID, column: str) -> list[str]:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
            return list((await conn.scalars(text(f"SELECT {column} FROM webhook_secrets"))).all())
    finally:
        await engine.dispose()


def test_the_migration_seals_stored_secrets_with_the_service_keys(
    urls, settings, keys, tmp_path
) -> None:
    secret = "whsec_" + "c2VhbGVkIGF0IHJlc3QsIG9wZW5lZCB0byBzaWdu"
    with scratch_database(urls.admin, settings, "chapters_sealing", migrated=False) as scratch:
        config = alembic_config(scratch.owner, settings)
        command.upgrade(config, BEFORE)
        tenant_id = asyncio.run(_store_plain_secret(scratch.owner, secret))

        # Where the service's key file is missing it refuses, and creates no key of its own.
        absent = tmp_path / "signing-key.json"
        config.attributes["settings"] = dataclasses.replace(settings, jwt_private_key_file=absent)
        with pytest.raises(RuntimeError, match="signing key"):
            command.upgrade(config, SEALED)
        assert not absent.exists()
        assert asyncio.run(_stored(scratch.owner, tenant_id, "secret")) == [secret]

        config.attributes["settings"] = settings
        command.upgrade(config, SEALED)
        [sealed] = asyncio.run(_stored(scratch.owner, tenant_id, "sealed_secret"))
        assert "whsec_" not in sealed and secret.removeprefix("whsec_") not in sealed
        assert service_box(keys, settings).unseal(sealed) == secret

        command.downgrade(config, BEFORE)
        assert asyncio.run(_stored(scratch.owner, tenant_id, "secret")) == [secret]
