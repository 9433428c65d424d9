"""The checked-in SDL matches the code, and every example operation validates and runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import parse, validate
from strawberry.relay import to_base64

from chapters.api.schema import schema
from chapters.settings import PROJECT_ROOT
from tests.support import gql

SDL_FILE = PROJECT_ROOT / "graphql" / "schema.graphql"
OPERATIONS = sorted((PROJECT_ROOT / "graphql" / "operations").rglob("*.graphql"))
OPERATION_TEXT = {path: path.read_text() for path in OPERATIONS}
VARIABLES_LINE = re.compile(r"^# variables: (.*)$", re.MULTILINE)


def test_checked_in_schema_is_current() -> None:
    assert SDL_FILE.read_text() == schema.as_str() + "\n", (
        "graphql/schema.graphql is stale: run `chapters export-schema`"
    )


def test_there_are_example_operations() -> None:
    assert len(OPERATIONS) >= 4


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_exported_schema(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text()))
    assert errors == []


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
async def test_operation_runs(client, tenants, path: Path) -> None:
    tenant = await tenants.create()
    viewer = tenant.people["admin@x.example"]
    text = OPERATION_TEXT[path]
    match = VARIABLES_LINE.search(text)
    raw = match.group(1) if match else "{}"
    raw = raw.replace('"@viewerPersonId"', json.dumps(to_base64("Person", str(viewer.id))))
    body = await gql(
        client, tenant.slug, text, json.loads(raw), token=tenant.token("admin@x.example")
    )
    assert "errors" not in body, body
    payload_errors = [
        value["errors"]
        for value in body["data"].values()
        if isinstance(value, dict) and "errors" in value
    ]
    assert all(errors == [] for errors in payload_errors), payload_errors
    assert all(value is not None for value in body["data"].values())
