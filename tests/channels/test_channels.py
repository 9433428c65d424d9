"""Channels through the GraphQL endpoint: staff add, change, retire and bring back the
tenant's publishing channels; a name is unique in the tenant; bad addresses, blank or
overlong names and unknown kinds are refused with typed errors; signed-in people read the
list, nobody else changes it."""

from __future__ import annotations

from tests.channels.channels_support import (
    ADMIN,
    CHANNEL_CREATE,
    CHANNEL_RETIRE,
    CHANNEL_UNRETIRE,
    CHANNEL_UPDATE,
    CHANNELS,
    EDITOR,
    MEMBER,
    OPS,
    make_world,
)
from tests.support import codes, gql


async def test_staff_keep_the_channels(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops, member = world.api(client, OPS), world.api(client, MEMBER)

    made = await ops.ok(
        CHANNEL_CREATE, name="  Website ", kind="WEBSITE", url="https://community.example"
    )
    assert made["channel"] | {"id": None} == {
        "id": None,
        "name": "Website",
        "kind": "WEBSITE",
        "url": "https://community.example",
        "retired": False,
    }
    website = made["channel"]["id"]
    wechat = await ops.channel("WeChat official account", "WECHAT")
    await ops.channel("Bilibili", "VIDEO", url="https://space.bilibili.com/x")

    # the name is unique in the tenant, whoever asks and however it is changed
    taken = await ops.mutate(CHANNEL_CREATE, name="Website", kind="OTHER")
    assert codes(taken) == [("name", "CONFLICT")]
    renamed = await ops.mutate(CHANNEL_UPDATE, id=wechat, name="Website")
    assert codes(renamed) == [("name", "CONFLICT")]

    # an update changes what it names; null clears the address but not the name or kind
    changed = await ops.ok(CHANNEL_UPDATE, id=website, url=None, kind="TECH_SITE")
    assert (changed["channel"]["name"], changed["channel"]["kind"]) == ("Website", "TECH_SITE")
    assert changed["channel"]["url"] is None
    cleared = await ops.mutate(CHANNEL_UPDATE, id=website, name=None, kind=None)
    assert sorted(codes(cleared)) == [("kind", "REQUIRED"), ("name", "REQUIRED")]

    # retired: out of the list unless asked for; retiring again changes nothing
    retired = await ops.ok(CHANNEL_RETIRE, id=wechat)
    assert retired["channel"]["retired"] is True
    assert (await ops.ok(CHANNEL_RETIRE, id=wechat))["channel"]["retired"] is True
    assert [c["name"] for c in await member.channels()] == ["Bilibili", "Website"]
    every = await member.channels(include_retired=True)
    assert [(c["name"], c["retired"]) for c in every] == [
        ("Bilibili", False),
        ("WeChat official account", True),
        ("Website", False),
    ]
    back = await ops.ok(CHANNEL_UNRETIRE, id=wechat)
    assert back["channel"]["retired"] is False
    assert len(await member.channels()) == 3


async def test_bad_input_is_a_typed_error(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    admin = world.api(client, ADMIN)

    bad_url = await admin.mutate(CHANNEL_CREATE, name="Blog", kind="WEBSITE", url="ftp://x")
    assert codes(bad_url) == [("url", "INVALID")]
    spaced = await admin.mutate(CHANNEL_CREATE, name="Blog", kind="WEBSITE", url="https://a b")
    assert codes(spaced) == [("url", "INVALID")]
    blank = await admin.mutate(CHANNEL_CREATE, name="  ", kind="WEBSITE")
    assert codes(blank) == [("name", "REQUIRED")]
    long = await admin.mutate(CHANNEL_CREATE, name="x" * 201, kind="WEBSITE")
    assert codes(long) == [("name", "TOO_LONG")]

    # a kind outside the list is refused by the schema, naming the value
    variables = {"input": {"name": "Blog", "kind": "RADIO"}}
    body = await gql(
        client, world.tenant.slug, CHANNEL_CREATE, variables, token=admin.token, expect_status=400
    )
    assert body.get("data") is None
    assert "RADIO" in body["errors"][0]["message"]
    assert "Unexpected" not in body["errors"][0]["message"]

    # ids: not an id, or no such channel
    for id_, code in (("nope", "INVALID"), ("Q2hhbm5lbDox", "NOT_FOUND")):
        assert codes(await admin.mutate(CHANNEL_RETIRE, id=id_)) == [("id", code)]
    assert await admin.channels(include_retired=True) == []


async def test_who_reads_and_who_keeps_channels(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    channel = await world.api(client, ADMIN).channel("Website")
    for email in (MEMBER, EDITOR):
        caller = world.api(client, email)
        assert [c["name"] for c in await caller.channels()] == ["Website"]
        refused = await caller.mutate(CHANNEL_CREATE, name="Mine", kind="OTHER")
        assert codes(refused) == [(None, "FORBIDDEN")]
        assert codes(await caller.mutate(CHANNEL_RETIRE, id=channel)) == [(None, "FORBIDDEN")]
    anonymous = await world.api(client, None).raw(CHANNELS, {"all": False})
    assert anonymous["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
