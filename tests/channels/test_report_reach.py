"""The quarterly report's "Reach by channel" section: one row per channel and month of the
quarter with the publications that appeared and the growth of each figure, escaped names;
no section for a reader who may not see reach; over HTTP, the figures entered for a quarter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chapters.insight.figures import ChannelReachRow
from chapters.insight.report import render_quarterly_report
from tests.channels.channels_support import EDITOR, OPS, VIEWER, make_world
from tests.insight.test_report import hand_built_report, read_page, table

HEADERS = ["Month", "Channel", "Publications", "Reads", "Views", "Likes", "Followers gained"]


def test_the_section_shows_each_channel_and_month() -> None:
    reach = [
        ChannelReachRow("2026-07", "Website", 2, 1200, 0, 30, 0),
        ChannelReachRow("2026-07", "<b>WeChat</b>", 1, 3000, 0, 120, 60),
        ChannelReachRow("2026-08", "Website", 0, 150, 0, 4, 0),
    ]
    page = render_quarterly_report(replace(hand_built_report(), reach=reach))
    assert '<section id="reach"><h2>Reach by channel</h2>' in page
    assert table(page, "reach") == [
        HEADERS,
        ["2026-07", "Website", "2", "1200", "0", "30", "0"],
        ["2026-07", "<b>WeChat</b>", "1", "3000", "0", "120", "60"],
        ["2026-08", "Website", "0", "150", "0", "4", "0"],
    ]
    assert "<b>WeChat" not in page  # escaped

    quiet = render_quarterly_report(replace(hand_built_report(), reach=[]))
    assert table(quiet, "reach") == [HEADERS]
    assert "No reach was read in this quarter." in quiet
    # not the reader's to see: no section at all
    hidden = render_quarterly_report(hand_built_report())
    assert 'id="reach"' not in hidden
    assert [name for name, _ in read_page(hidden).tables].count("reach") == 0


async def test_staff_find_the_quarters_reach_in_the_report(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops = world.api(client, OPS)
    blog = await ops.channel("Blog")
    await world.article("Scale", [(blog, None, date(2025, 3, 20))])
    (publication,) = await ops.publications()
    editor = world.api(client, EDITOR)
    for day, reads in (("2025-03-21", 100), ("2025-03-31", 250), ("2025-04-03", 300)):
        assert (await editor.read(publication["id"], day, reads=reads))["errors"] == []

    for email in (OPS, VIEWER):
        response = await client.get(
            f"/t/{world.tenant.slug}/reports/quarterly?quarter=2025-Q1",
            headers={"Authorization": f"Bearer {world.tenant.token(email)}"},
        )
        assert response.status_code == 200, response.text
        assert table(response.text, "reach") == [
            HEADERS,
            ["2025-03", "Blog", "1", "250", "0", "0", "0"],
        ]
