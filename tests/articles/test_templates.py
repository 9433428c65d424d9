"""Article templates through the GraphQL endpoint: editors define them (sections with
guidance, some required, some with a least number of words), change and retire them; every
signed-in person reads the current ones; bad sections answer typed errors where they are."""

from __future__ import annotations

from tests.articles.articles_support import (
    BEST_PRACTICE,
    CREATE,
    EDITOR,
    TEMPLATE_CREATE,
    TEMPLATE_UPDATE,
    TEMPLATES,
    UPDATE,
    WRITER,
    Api,
    content_world,
)
from tests.support import code_set, codes


async def test_editors_define_change_and_retire_templates(client, tenants, owner_engine) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    editor, writer = Api(client, tenant, EDITOR), Api(client, tenant, WRITER)

    created = await editor.ok(
        TEMPLATE_CREATE,
        name=" Best practice ",
        description="How a chapter did something well.",
        kind="BEST_PRACTICE",
        sections=BEST_PRACTICE,
    )
    template = created["template"]
    assert (template["name"], template["kind"], template["retired"]) == (
        "Best practice",
        "BEST_PRACTICE",
        False,
    )
    assert [(s["key"], s["required"], s["minWords"]) for s in template["sections"]] == [
        ("background", True, None),
        ("setup", False, None),
        ("lessons", True, 5),
        ("next_steps", False, None),
    ]
    assert template["sections"][0]["guidance"] == "Where you started."

    # members read templates, and may not define them
    listed = (await writer.data(TEMPLATES))["articleTemplates"]["edges"]
    assert [edge["node"]["name"] for edge in listed] == ["Best practice"]
    refused = await writer.mutate(TEMPLATE_CREATE, name="Mine", sections=BEST_PRACTICE)
    assert codes(refused) == [(None, "FORBIDDEN")]

    # one name per template
    again = await editor.mutate(TEMPLATE_CREATE, name="Best practice", sections=BEST_PRACTICE)
    assert codes(again) == [("name", "CONFLICT")]

    # an article written from it keeps its text per key when the sections change
    article = await writer.propose(
        templateId=template["id"], sections=[{"key": "lessons", "body": "Write it down."}]
    )
    sections = [
        {"key": "lessons", "title": "What we learnt", "minWords": 3},
        {"key": "background", "title": "Background", "required": False},
    ]
    changed = await editor.ok(TEMPLATE_UPDATE, id=template["id"], sections=sections)
    assert [(s["key"], s["title"], s["required"]) for s in changed["template"]["sections"]] == [
        ("lessons", "What we learnt", True),
        ("background", "Background", False),
    ]
    node = await writer.node(article["id"])
    assert node is not None
    assert [(s["key"], s["body"]) for s in node["sections"]] == [
        ("lessons", "Write it down."),
        ("background", None),
    ]

    # retired: no longer listed or offered; its articles keep it
    retired = await editor.ok(TEMPLATE_UPDATE, id=template["id"], retired=True)
    assert retired["template"]["retired"] is True
    assert (await writer.data(TEMPLATES))["articleTemplates"]["edges"] == []
    everything = await writer.data(TEMPLATES, {"includeRetired": True})
    assert len(everything["articleTemplates"]["edges"]) == 1
    offered = await writer.mutate(CREATE, title="Late", templateId=template["id"])
    assert codes(offered) == [("templateId", "INVALID")]
    kept = await writer.ok(UPDATE, id=article["id"], title="Still from it")
    assert kept["article"]["template"] == {"name": "Best practice"}


async def test_bad_templates_answer_typed_errors(client, tenants, owner_engine) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    bad = await editor.mutate(
        TEMPLATE_CREATE,
        name="Guide",
        sections=[
            {"key": "Steps!", "title": "Steps"},
            {"key": "notes", "title": " "},
            {"key": "notes", "title": "Notes", "minWords": 0},
            {"key": "x" * 65, "title": "Long"},
        ],
    )
    assert code_set(bad) == {
        ("sections.0.key", "INVALID"),
        ("sections.1.title", "REQUIRED"),
        ("sections.2.key", "INVALID"),
        ("sections.2.minWords", "INVALID"),
        ("sections.3.key", "TOO_LONG"),
    }
    empty = await editor.mutate(TEMPLATE_CREATE, name="Empty", sections=[])
    assert codes(empty) == [("sections", "REQUIRED")]
    nameless = await editor.mutate(TEMPLATE_CREATE, name=" ", sections=BEST_PRACTICE)
    assert codes(nameless) == [("name", "REQUIRED")]
