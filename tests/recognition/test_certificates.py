"""Recognition through HTTP on the real database: a title awarded, its certificate issued,
verified by anyone (page and signed JSON), checked offline against the published JWKS,
revoked and verified again; re-issue after a name change; certificates only from done
records of the holder; rendering (PDF text and QR, PNG QR); tenant isolation; who sees what."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import zxingcpp
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from PIL import Image
from sqlalchemy import select, update

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.recognition import seed_recognition
from chapters.models import Person, TenantRole
from chapters.models.mail import MailMessage
from tests.recognition.world import (
    ADMIN,
    CERTIFICATES,
    HOLDER,
    HOLDER_NAME,
    ISSUE,
    MEMBER,
    MINE,
    OPS,
    OTHER,
    REISSUE,
    REVOKE,
    SETTINGS,
    World,
    award_certificate,
    build_world,
    payload,
)
from tests.support import codes, statements_sent


@pytest.fixture(scope="module")
async def world(tenants, owner_engine) -> World:
    return await build_world(tenants, owner_engine)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _qr_text(png: bytes) -> list[str]:
    with Image.open(io.BytesIO(png)) as image:
        return [found.text for found in zxingcpp.read_barcodes(image)]


async def test_award_certificate_verify_revoke_verify(client, world, owner_engine) -> None:
    admin = world.api(client, ADMIN)
    signatories = await payload(admin, SETTINGS, {"input": {"signatories": ["Li Lei", "韩梅梅"]}})
    assert signatories["errors"] == []
    award, certificate = await award_certificate(world, admin)
    assert award["citations"] == [{"recordId": world.spoke, "recordType": "Activity"}]
    assert award["person"] == {"displayName": HOLDER_NAME}
    assert certificate["status"] == "VALID"
    assert certificate["holderName"] == HOLDER_NAME
    assert certificate["title"] == "Contributor of the Month"
    assert certificate["whatFor"].startswith(
        "Three talks and a new meetup series; Rust in Production"
    )
    assert certificate["signatories"] == ["Li Lei", "韩梅梅"]
    assert certificate["issuerName"] == f"Tenant {world.tenant.slug}"
    public_id = certificate["publicId"]
    assert len(public_id) >= 16 and certificate["verificationUrl"].endswith(f"/verify/{public_id}")

    # The holder is told by mail, once, with the verification link.
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, world.tenant.id) as session, session.begin():
        mails = list(
            await session.scalars(
                select(MailMessage).where(MailMessage.kind == "certificate_issued")
            )
        )
    assert [m.recipient for m in mails] == [HOLDER]
    assert certificate["verificationUrl"] in (mails[0].text_body or "")

    # Anyone verifies it: the page and the signed record, no sign-in.
    page = await client.get(f"/verify/{public_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for shown in (HOLDER_NAME, "Contributor of the Month", "VALID", "Rust in Production"):
        assert shown in page.text
    record = (await client.get(f"/verify/{public_id}.json")).json()
    assert record["status"] == "VALID" and record["valid"] is True
    assert record["claims"]["holder"] == HOLDER_NAME
    assert record["claims"]["community"] == f"Tenant {world.tenant.slug}"
    assert record["jws"] == certificate["jws"]

    # Offline: the JWS verifies against the published key set, and a changed payload does not.
    key_set = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    header = json.loads(base64.urlsafe_b64decode(record["jws"].split(".")[0] + "=="))
    assert header["typ"] == "certificate+jwt"
    key = key_set.get_by_kid(header["kid"])
    verified = jws.deserialize_compact(record["jws"], key)
    assert json.loads(verified.payload)["holder"] == HOLDER_NAME
    head, body, signature = record["jws"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["holder"] = "Somebody Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(f"{head}.{forged}.{signature}", key)
    # Nor is it a bearer token.
    refused = await client.post(
        f"/t/{world.tenant.slug}/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {record['jws']}"},
    )
    assert refused.status_code == 401

    revoked = await payload(
        admin, REVOKE, {"input": {"id": certificate["id"], "reason": "Awarded in error"}}
    )
    assert revoked["errors"] == [] and revoked["certificate"]["status"] == "REVOKED"
    again = await payload(admin, REVOKE, {"input": {"id": certificate["id"], "reason": "x"}})
    assert codes(again) == [("id", "CONFLICT")]
    page = await client.get(f"/verify/{public_id}")
    assert "REVOKED" in page.text and "Awarded in error" in page.text and "VALID" not in page.text
    record = (await client.get(f"/verify/{public_id}.json")).json()
    assert (record["status"], record["revokedReason"]) == ("REVOKED", "Awarded in error")


async def test_reissue_after_a_name_change_keeps_the_chain(client, world, owner_engine) -> None:
    admin = world.api(client, ADMIN)
    issued = await payload(
        admin,
        ISSUE,
        {"input": {"contributionId": world.term, "personId": world.person(HOLDER)}},
    )
    assert issued["errors"] == [], issued
    old = issued["certificate"]
    assert (old["basis"], old["title"], old["recordId"]) == (
        "AMBASSADOR_TERM",
        "Ambassadors",
        world.term,
    )
    duplicate = await payload(
        admin, ISSUE, {"input": {"contributionId": world.term, "personId": world.person(HOLDER)}}
    )
    assert codes(duplicate) == [("contributionId", "CONFLICT")]

    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, world.tenant.id) as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.id == world.tenant.people[HOLDER].id)
            .values(display_name="王晓明")
        )
    reissued = await payload(admin, REISSUE, {"id": old["id"]})
    assert reissued["errors"] == [], reissued
    new = reissued["certificate"]
    assert new["holderName"] == "王晓明" and new["previous"] == {"publicId": old["publicId"]}
    assert new["publicId"] != old["publicId"]

    old_record = (await client.get(f"/verify/{old['publicId']}.json")).json()
    assert old_record["status"] == "REVOKED" and old_record["revokedReason"] == "reissued"
    assert old_record["supersededBy"] == new["publicId"]
    assert old_record["claims"]["holder"] == HOLDER_NAME  # what it said stays what it said
    new_record = (await client.get(f"/verify/{new['publicId']}.json")).json()
    assert new_record["previous"] == old["publicId"] and new_record["status"] == "VALID"
    assert new_record["claims"]["previous"] == old["publicId"]
    page = await client.get(f"/verify/{old['publicId']}")
    assert f"/verify/{new['publicId']}" in page.text and "reissued" in page.text

    async with open_tenant_session(sessionmaker, world.tenant.id) as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.id == world.tenant.people[HOLDER].id)
            .values(display_name=HOLDER_NAME)
        )


async def test_certificates_only_from_done_records_of_the_person(client, world) -> None:
    admin = world.api(client, ADMIN)

    async def issue(**input) -> list:
        return codes(await payload(admin, ISSUE, {"input": input}))

    holder = world.person(HOLDER)
    assert await issue(contributionId=world.draft, personId=holder) == [
        ("contributionId", "INVALID")
    ]
    assert await issue(contributionId=world.attended, personId=holder) == [
        ("contributionId", "INVALID")
    ]
    assert await issue(contributionId=world.spoke, personId=world.person(OTHER)) == [
        ("contributionId", "INVALID")
    ]
    assert await issue(contributionId=world.ongoing_project, personId=holder) == [
        ("contributionId", "INVALID")
    ]
    assert await issue(contributionId=world.others_term, personId=holder) == [
        ("contributionId", "INVALID")
    ]
    assert await issue(contributionId=world.spoke) == [("personId", "REQUIRED")]
    assert await issue() == [("awardId", "REQUIRED")]
    assert await issue(contributionId=holder, personId=holder) == [("contributionId", "INVALID")]
    missing = base64.b64encode(f"Activity:{uuid.uuid4()}".encode()).decode()
    assert await issue(contributionId=missing, personId=holder) == [("contributionId", "NOT_FOUND")]
    assert await issue(awardId=world.spoke) == [("awardId", "NOT_FOUND")]

    spoke = await payload(
        admin, ISSUE, {"input": {"contributionId": world.spoke, "personId": holder}}
    )
    assert spoke["errors"] == []
    assert spoke["certificate"]["title"] == "Speaker"
    assert spoke["certificate"]["whatFor"].startswith('Spoke at "Rust in Production" on ')
    project = await payload(
        admin, ISSUE, {"input": {"contributionId": world.completed_project, "personId": holder}}
    )
    assert project["errors"] == []
    assert project["certificate"]["title"] == "Open Source Summer Mentor"

    # Not staff: refused.
    member = world.api(client, MEMBER)
    refused = await payload(
        member, ISSUE, {"input": {"contributionId": world.spoke, "personId": holder}}
    )
    assert codes(refused) == [(None, "FORBIDDEN")]


def _pdf_text_and_qr(pdf: bytes, tmp_path: Path) -> tuple[str, list[str]]:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True, text=True
    ).stdout
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(source), str(tmp_path / "page")], check=True
    )
    (page,) = sorted(tmp_path.glob("page*.png"))
    return text, _qr_text(page.read_bytes())


async def test_pdf_and_png_render_the_name_and_a_qr_code_of_the_verification_url(
    client, world, tmp_path
) -> None:
    admin = world.api(client, ADMIN)
    logo = io.BytesIO()
    Image.new("RGB", (120, 60), (25, 84, 140)).save(logo, format="PNG")
    updated = await payload(
        admin, SETTINGS, {"input": {"logoBase64": base64.b64encode(logo.getvalue()).decode()}}
    )
    assert updated["settings"]["logoMediaType"] == "image/png"
    _, certificate = await award_certificate(world, admin, title="Excellent Author")
    url = certificate["verificationUrl"]

    response = await client.get(_path(certificate["pdfUrl"]))  # no sign-in
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text, qr = _pdf_text_and_qr(response.content, tmp_path)
    for shown in (HOLDER_NAME, "Excellent Author", f"Tenant {world.tenant.slug}", "Li Lei"):
        assert shown in text
    assert "REVOKED" not in text
    assert qr == [url]

    png = await client.get(_path(certificate["pngUrl"]))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert _qr_text(png.content) == [url]

    await payload(admin, REVOKE, {"input": {"id": certificate["id"], "reason": "Plagiarism"}})
    revoked = await client.get(_path(certificate["pdfUrl"]))
    text, qr = _pdf_text_and_qr(revoked.content, tmp_path / "..")
    assert "Plagiarism" in text and qr == [url]


async def test_bad_logos_are_typed_errors(client, world) -> None:
    admin = world.api(client, ADMIN)

    async def logo(value: str) -> list:
        return codes(await payload(admin, SETTINGS, {"input": {"logoBase64": value}}))

    assert await logo("not base64!") == [("logoBase64", "INVALID")]
    assert await logo(base64.b64encode(b"GIF89a not an image").decode()) == [
        ("logoBase64", "INVALID")
    ]
    assert await logo("A" * 400_000) == [("logoBase64", "TOO_LONG")]
    too_many = await payload(admin, SETTINGS, {"input": {"signatories": ["a", "b", "c", "d", "e"]}})
    assert codes(too_many) == [("signatories", "INVALID")]


async def test_unknown_and_foreign_ids_are_not_found(client, world, tenants, owner_engine) -> None:
    admin = world.api(client, ADMIN)
    _, certificate = await award_certificate(world, admin, title="Open Source Summer Mentor")
    public_id = certificate["publicId"]
    other = await tenants.create(prefix="rec-other")
    for path in (
        f"/t/{other.slug}/certificates/{public_id}.pdf",
        f"/t/{other.slug}/certificates/{public_id}.png",
        "/verify/AAAAAAAAAAAAAAAAAAAAAA",
        "/verify/AAAAAAAAAAAAAAAAAAAAAA.json",
        "/verify/..%2F..",
        f"/t/{world.tenant.slug}/certificates/{public_id}.svg",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
    foreign = await client.post(
        f"/t/{other.slug}/graphql",
        json={
            "query": "query ($id: ID!) { node(id: $id) { id } }",
            "variables": {"id": certificate["id"]},
        },
        headers={"Authorization": f"Bearer {other.token('admin@x.example')}"},
    )
    assert foreign.json()["data"]["node"] is None


async def test_holders_see_their_own_staff_see_all(client, world) -> None:
    admin = world.api(client, ADMIN)
    _, certificate = await award_certificate(world, admin, title="Speaker of the Year")
    mine = (await world.api(client, HOLDER).data(MINE))["viewer"]["certificates"]["edges"]
    assert certificate["publicId"] in {e["node"]["publicId"] for e in mine}
    assert (await world.api(client, OTHER).data(MINE))["viewer"]["certificates"]["edges"] == []
    node = "query ($id: ID!) { node(id: $id) { ... on Certificate { publicId } } }"
    assert (await world.api(client, HOLDER).data(node, {"id": certificate["id"]}))["node"]
    assert (await world.api(client, OTHER).data(node, {"id": certificate["id"]}))["node"] is None
    listed = await world.api(client, MEMBER).raw(CERTIFICATES)
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff = await world.api(client, OPS).data(
        CERTIFICATES, {"filter": {"personId": world.person(HOLDER), "status": ["VALID"]}}
    )
    assert certificate["publicId"] in {
        e["node"]["publicId"] for e in staff["certificates"]["edges"]
    }


async def test_the_certificate_list_reads_in_a_fixed_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    world = await build_world(tenants, owner_engine, prefix="rec-n1")
    admin = world.api(client, ADMIN)

    async def count() -> int:
        with statements_sent(app.state.runtime.engine) as statements:
            body = await admin.data(CERTIFICATES, {"first": 50})
        assert all(e["node"]["award"]["citations"] for e in body["certificates"]["edges"])
        return len(statements)

    async def award_and_reissue(title: str) -> None:
        _, certificate = await award_certificate(world, admin, title=title)
        await payload(admin, REISSUE, {"id": certificate["id"]})

    await award_and_reissue("First")
    two = await count()
    for title in ("Second", "Third", "Fourth"):
        await award_and_reissue(title)
    assert await count() == two  # eight certificates, as many statements as for two


async def test_the_demo_seeds_titles_awards_and_certificates_to_verify(
    client, tenants, owner_engine, keys
) -> None:
    tenant = await tenants.create(
        prefix="rec-demo",
        people={"admin@demo.example": TenantRole.ADMIN, "member@demo.example": None},
    )
    sessionmaker = tenant_sessionmaker(owner_engine)

    async def seed() -> str:
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            return await seed_recognition(session, keys)

    summary = await seed()
    valid, revoked = re.findall(r"/verify/[A-Za-z0-9_-]+", summary)
    page = await client.get(valid)
    assert (
        "王小明" in page.text and "Contributor of the Month" in page.text and "VALID" in page.text
    )
    record = (await client.get(f"{revoked}.json")).json()
    assert record["status"] == "REVOKED" and record["claims"]["title"] == "Excellent Author"
    assert await seed() == "recognition already there"
