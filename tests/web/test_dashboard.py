"""The dashboard: its numbers for a seeded set of deals and activities, in the user's scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.web.conftest import Browser, new_rep


def deal(api: Api, name: str, amount: int, stage: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "amount": amount, "deal_stage_id": api.option_id("deal_stages", stage)}
    response = api.post("/api/deals", json={"deal": {**body, **fields}})
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()["deal"]
    return out


def row(html: str, chart: str, label: str) -> list[str]:
    """The cells of one row of a chart's screen-reader table."""
    figure = html[html.index(f'id="{chart}"') :]
    figure = figure[: figure.index("</figure>")]
    found = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', figure)
    assert found, (label, figure[-800:])
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def forecast(html: str, period: int) -> str:
    start = html.index(f'id="forecast-{period}"')
    return re.sub(r"\s+", " ", html[start : html.index("</dl>", start)])


def seed(api: Api, rep: Browser) -> None:
    today = datetime.now(UTC).date().isoformat()
    deal(api, "Small", 1000, "New", expected_close=today)
    deal(api, "Demo deal", 2000, "Demo", expected_close=today)
    deal(api, "Signed", 500, "Won")
    deal(api, "Gone", 300, "Lost")
    deal(rep.api, "Rep's own", 700, "New", expected_close=today)
    api.post(
        "/api/notes",
        json={
            "note": {
                "description": "x",
                "targetable_type": "Deal",
                "targetable_id": deal(api, "Noted", 1, "Won")["id"],
            }
        },
    )


def test_the_admin_sees_every_deal_in_the_charts(web: Browser) -> None:
    rep = new_rep(web.api)
    seed(web.api, rep)
    html = web.page("/dashboard")
    assert html.count("<svg") == 3 and html.count('class="bar') > 3
    assert row(html, "chart-pipeline", "New") == ["1,700.00"]
    assert row(html, "chart-pipeline", "Demo") == ["2,000.00"]
    assert row(html, "chart-pipeline", "Follow-up") == ["0.00"]
    month = datetime.now(UTC).strftime("%b %Y")
    assert row(html, "chart-closed", month) == ["2", "1"]  # won (Signed, Noted), lost
    this_month = forecast(html, 1)
    assert 'Already won</dt><dd class="won">501.00' in this_month
    assert '3,700.00 <span class="muted">(3 deals)' in this_month
    assert "Weighted by probability</dt><dd>1,370.00" in this_month  # 10% + 60% + 10%
    assert row(html, "chart-activity", "Admin")[0] == "1"  # one note


def test_a_rep_sees_only_their_own(web: Browser) -> None:
    rep = new_rep(web.api)
    seed(web.api, rep)
    html = rep.page("/dashboard")
    assert row(html, "chart-pipeline", "New") == ["700.00"]
    assert row(html, "chart-pipeline", "Demo") == ["0.00"]
    assert 'Already won</dt><dd class="won">0.00' in forecast(html, 1)
    assert "Admin" not in html.split('id="chart-activity"')[1]


def test_another_pipeline_is_charted_on_request(web: Browser) -> None:
    renewals = web.api.option_id("deal_pipelines", "Renewals")
    deal(web.api, "Renewal", 900, "Upcoming")
    html = web.page(f"/dashboard?pipeline={renewals}")
    assert row(html, "chart-pipeline", "Upcoming") == ["900.00"]
    assert "New" not in html.split('id="chart-pipeline"')[1].split("</figure>")[0]
    assert web.get("/dashboard?pipeline=999999999").status_code == 400


def test_htmx_gets_the_content_without_the_layout(web: Browser) -> None:
    response = web.get("/dashboard", htmx=True)
    assert response.status_code == 200 and "<header" not in response.text
    assert 'id="chart-closed"' in response.text


def test_a_manager_sees_their_territory(web: Browser) -> None:
    manager = new_rep(web.api, territory="Europe", role="manager")
    europe = web.api.option_id("territories", "Europe")
    deal(web.api, "In Europe", 400, "New", territory_id=europe)
    deal(web.api, "Elsewhere", 900, "New")
    assert row(manager.page("/dashboard"), "chart-pipeline", "New") == ["400.00"]


def test_deals_close_in_their_month_and_a_new_one_shows_at_once(web: Browser) -> None:
    today = datetime.now(UTC).date()
    earlier = (today.replace(day=1) - timedelta(days=20)).replace(day=10)
    deal(web.api, "Last month's", 800, "Won", closed_date=earlier.isoformat())
    month = earlier.strftime("%b %Y")
    assert row(web.page("/dashboard"), "chart-closed", month) == ["1", "0"]
    deal(web.api, "Lost then", 100, "Lost", closed_date=earlier.isoformat())
    assert row(web.page("/dashboard"), "chart-closed", month) == ["1", "1"]
