"""The figures as CSV and XLSX downloads, read back and compared with the hand-worked
figures of ``test_definitions``."""

from __future__ import annotations

import csv
import io

import openpyxl


async def _download(client, history, who: str, path: str):
    token = history.tenant.token(who) if "@" in who else history.token(who)
    return await client.get(
        f"/t/{history.tenant.slug}/exports/{path}", headers={"Authorization": f"Bearer {token}"}
    )


async def test_chapter_health_as_csv(past, client) -> None:
    history, _ = past
    response = await _download(
        client, history, "ops@x.example", "chapter-health.csv?from=2025-04-01&to=2025-06-30"
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    hangzhou = next(row for row in rows if row["chapter"] == "hangzhou")
    figures = ("members", "active_members", "new_members", "churned_members")
    assert [hangzhou[name] for name in figures] == ["7", "4", "1", "1"]
    assert (hangzhou["status"], hangzhou["period"]) == ("needs_attention", "2025-04-01..2025-06-30")
    assert hangzhou["fired_rules"] == "Recaps published for 67% of the activities due"
    assert {row["chapter"] for row in rows} == {"hangzhou", "chengdu"}


async def test_cohorts_as_xlsx_and_the_leads_refusal(past, client) -> None:
    history, _ = past
    response = await _download(
        client, history, "viewer@x.example", "retention-cohorts.xlsx?to=2025-06-30"
    )
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["cohort", "size", "periods_later", "retained", "retention"]
    q1_2024 = [row for row in rows[1:] if row[0] == "2024-Q1"]
    # bob dan eve hal arrived; active 3, 4 and 5 quarters later: 2, 1, 1 (2025-Q2 is the last)
    assert [(row[1], row[2], row[3]) for row in q1_2024] == [
        (4, 0, 0),
        (4, 1, 0),
        (4, 2, 0),
        (4, 3, 2),
        (4, 4, 1),
        (4, 5, 1),
    ]
    lead = await _download(client, history, "fay", "chapter-health.csv")
    assert lead.status_code == 403
