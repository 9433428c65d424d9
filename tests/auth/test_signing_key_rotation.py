"""Rotating the service's signing key without signing anyone out.

During a rotation the key source holds two keys: the new one signs, the old one still
verifies; both are in the JWKS. Tokens, mailed links, cursors and sealed secrets made under
the old key keep working until the rotation is finished (``--finish``), and only then do the
old key's tokens stop being accepted."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

import pytest

from chapters import links, secretbox
from chapters.app import create_app
from chapters.auth.keys import (
    SigningKeyError,
    install_service_keys,
    rotated,
    signing_keys_from,
    without_retired,
)
from chapters.auth.tokens import issue_access_token
from chapters.db import pagination
from chapters.errors import InvalidInput
from chapters.models import Chapter
from tests.support import run_cli, serving

VIEWER = "{ viewer { email } }"


@pytest.fixture
def restore_service_keys(keys, settings):
    """Derived keys are process-wide: put the suite's back after a test installs others."""
    yield
    install_service_keys(keys, settings.secret_keys)


@pytest.fixture(scope="module")
async def person(tenants):
    tenant = await tenants.create(people={"p@x.example": None})
    return tenant, tenant.people["p@x.example"]


async def _viewer(keys, settings, urls, tenant, token: str) -> int:
    async with serving(create_app(settings, app_url=urls.app, keys=keys)) as http:
        response = await http.post(
            f"/t/{tenant.slug}/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.status_code


async def test_during_a_rotation_old_and_new_tokens_work_and_after_it_only_new_ones(
    keys, settings, urls, person, restore_service_keys
) -> None:
    tenant, someone = person
    before = signing_keys_from(keys.signing_key.as_dict(private=True))
    old_token = issue_access_token(before, settings, tenant_id=tenant.id, subject=str(someone.id))
    rotating = rotated(before)
    assert rotating.kid != before.kid and [k.kid for k in rotating.retired] == [before.kid]
    new_token = issue_access_token(rotating, settings, tenant_id=tenant.id, subject=str(someone.id))
    assert await _viewer(rotating, settings, urls, tenant, old_token) == 200
    assert await _viewer(rotating, settings, urls, tenant, new_token) == 200
    async with serving(create_app(settings, app_url=urls.app, keys=rotating)) as http:
        published = (await http.get("/.well-known/jwks.json")).json()
    assert {key["kid"] for key in published["keys"]} == {rotating.kid, before.kid}
    assert all("d" not in key for key in published["keys"])  # public halves only

    finished = without_retired(rotating)
    assert await _viewer(finished, settings, urls, tenant, old_token) == 401
    assert await _viewer(finished, settings, urls, tenant, new_token) == 200


def test_links_cursors_and_sealed_secrets_of_the_old_key_survive_the_rotation(
    keys, settings, restore_service_keys
) -> None:
    before = signing_keys_from(keys.signing_key.as_dict(private=True))
    install_service_keys(before)
    link = links.sign("unsubscribe", "tenant", "person")
    sealed = secretbox.seal("whsec_example")
    columns = [Chapter.__table__.c.name, Chapter.__table__.c.id]
    chapter_id = uuid.uuid4()
    cursor = pagination.encode_cursor(["Hangzhou", chapter_id], columns)

    install_service_keys(rotated(before))
    assert links.unsign("unsubscribe", link) == ["tenant", "person"]
    assert secretbox.unseal(sealed) == "whsec_example"
    assert pagination.decode_cursor(cursor, "after", columns) == ["Hangzhou", chapter_id]
    assert links.sign("unsubscribe", "tenant", "person") != link  # the new key signs

    install_service_keys(signing_keys_from(rotated(before).signing_key.as_dict(private=True)))
    assert links.unsign("unsubscribe", link) is None
    with pytest.raises(secretbox.UnreadableSecret):
        secretbox.unseal(sealed)
    with pytest.raises(InvalidInput):
        pagination.decode_cursor(cursor, "after", columns)


def test_a_key_source_must_hold_private_keys_with_distinct_ids() -> None:
    key = signing_keys_from(rotated_source())
    public_only = dict(key.signing_key.as_dict(private=False))
    with pytest.raises(SigningKeyError, match="public key cannot sign"):
        signing_keys_from(public_only)
    twice = key.signing_key.as_dict(private=True)
    with pytest.raises(SigningKeyError, match="share a kid"):
        signing_keys_from({"keys": [twice, twice]})
    with pytest.raises(SigningKeyError, match="at least one key"):
        signing_keys_from({"keys": []})
    with pytest.raises(SigningKeyError, match="not an EC private JWK"):
        signing_keys_from({"kty": "EC"})


def rotated_source() -> dict:
    from chapters.auth.keys import generate_signing_key

    return dict(generate_signing_key().as_dict(private=True))


def test_the_rotation_command_writes_the_key_file_then_finishes(cli_env, tmp_path: Path) -> None:
    key_file = tmp_path / "signing-key.json"
    env = {**cli_env, "CHAPTERS_JWT_PRIVATE_KEY_FILE": str(key_file)}
    key_file.write_text(json.dumps(rotated_source()))
    first_kid = signing_keys_from(json.loads(key_file.read_text())).kid

    started = run_cli(env, "rotate-signing-key")
    assert started.returncode == 0, started.stderr
    during = signing_keys_from(json.loads(key_file.read_text()))
    assert [key.kid for key in during.retired] == [first_kid] and during.kid != first_kid
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert f"signing key: {during.kid}; still verifying: {first_kid}" in started.stderr
    assert "--finish" in started.stderr

    finished = run_cli(env, "rotate-signing-key", "--finish")
    assert finished.returncode == 0, finished.stderr
    after = signing_keys_from(json.loads(key_file.read_text()))
    assert after.kid == during.kid and after.retired == ()


def test_a_key_from_the_environment_is_rotated_by_printing_the_new_set(cli_env) -> None:
    source = json.dumps(rotated_source())
    env = {**cli_env, "CHAPTERS_JWT_PRIVATE_KEY": source}
    refused = run_cli(env, "rotate-signing-key")
    assert refused.returncode == 1
    assert "CHAPTERS_JWT_PRIVATE_KEY: use --print" in refused.stderr
    printed = run_cli(env, "rotate-signing-key", "--print")
    assert printed.returncode == 0, printed.stderr
    new = signing_keys_from(json.loads(printed.stdout))
    assert [key.kid for key in new.retired] == [signing_keys_from(json.loads(source)).kid]


def test_the_service_refuses_to_start_with_an_unusable_key(cli_env) -> None:
    env = {**cli_env, "CHAPTERS_JWT_PRIVATE_KEY": '{"kty": "EC", "crv": "P-256"}'}
    answer = run_cli(env, "serve", "--workers", "1")
    assert answer.returncode == 1
    assert "signing key: not an EC private JWK" in answer.stderr
    assert "Traceback" not in answer.stderr
