"""Content editors through the GraphQL endpoint: ops appoint and remove them; an editor runs
the pipeline as long as they are one; signed-in people see who the editors are."""

from __future__ import annotations

from tests.articles.articles_support import (
    ADMIN,
    EDITOR,
    OPS,
    OTHER,
    WRITER,
    Api,
    content_world,
    person,
)
from tests.support import codes

EDITORS = """{ contentEditors(first: 20) { edges { node { appointedAt
  person { id } appointedBy { id } } } } }"""
APPOINT = """mutation ($input: ContentEditorInput!) { contentEditorAppoint(input: $input) {
  editor { person { id } appointedBy { id } } errors { field code message } } }"""
REMOVE = """mutation ($input: ContentEditorInput!) { contentEditorRemove(input: $input) {
  removed errors { field code message } } }"""
VIEWER = "{ viewer { isContentEditor } }"


async def test_ops_appoint_and_remove_editors(client, tenants, owner_engine) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    ops, writer, other = (
        Api(client, tenant, OPS),
        Api(client, tenant, WRITER),
        Api(client, tenant, OTHER),
    )

    async def editors(api: Api) -> list[str]:
        edges = (await api.data(EDITORS))["contentEditors"]["edges"]
        return [edge["node"]["person"]["id"] for edge in edges]

    assert await editors(writer) == [person(tenant, EDITOR)]
    assert (await other.data(VIEWER))["viewer"]["isContentEditor"] is False

    # an editor may not appoint; ops may (twice changes nothing)
    refused = await Api(client, tenant, EDITOR).mutate(APPOINT, personId=person(tenant, OTHER))
    assert codes(refused) == [(None, "FORBIDDEN")]
    for _ in range(2):
        appointed = await ops.ok(APPOINT, personId=person(tenant, OTHER))
        assert appointed["editor"]["person"] == {"id": person(tenant, OTHER)}
    assert await editors(writer) == [person(tenant, EDITOR), person(tenant, OTHER)]
    assert (await other.data(VIEWER))["viewer"]["isContentEditor"] is True

    # the new editor reviews a member's article
    draft = await writer.propose(body="Text.")
    await writer.steps(draft["id"], "Start", "Submit")
    assert (await other.step("StartReview", draft["id"]))["errors"] == []

    # removed: no longer
    assert (await ops.ok(REMOVE, personId=person(tenant, OTHER)))["removed"] is True
    assert (await ops.ok(REMOVE, personId=person(tenant, OTHER)))["removed"] is False
    assert codes(await other.step("Decline", draft["id"])) == [(None, "FORBIDDEN")]
    assert await editors(Api(client, tenant, ADMIN)) == [person(tenant, EDITOR)]

    # anonymous callers see no editors
    anonymous = await Api(client, tenant, None).raw(EDITORS)
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
