"""The dashboard in a real browser: its charts render as SVG bars, on a laptop and a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import Crm, screenshot


def stage_id(crm: Crm, name: str) -> int:
    pipelines = crm.api.get("/api/selector/deal_pipelines").json()["deal_pipelines"]
    return int(next(s["id"] for p in pipelines for s in p["deal_stages"] if s["name"] == name))


def seed(crm: Crm) -> None:
    close = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    for name, amount, stage in (
        ("Acme expansion", 12000, "New"),
        ("Globex pilot", 8000, "Demo"),
        ("Initech renewal", 15000, "Negotiation"),
        ("Umbrella", 5000, "Won"),
        ("Hooli", 3000, "Lost"),
    ):
        body = {"name": name, "amount": amount, "deal_stage_id": stage_id(crm, name=stage)}
        made = crm.api.post("/api/deals", json={"deal": {**body, "expected_close": close}})
        assert made.status_code == 200, made.text
    deal_id = made.json()["deal"]["id"]
    note = {"description": "Lost on price", "targetable_type": "Deal", "targetable_id": deal_id}
    crm.api.post("/api/notes", json={"note": note})


def test_see_the_dashboards_charts(crm: Crm, page: Any) -> None:
    seed(crm)
    crm.sign_in(page)
    page.goto(crm.url("/dashboard"))
    for chart in ("chart-pipeline", "chart-closed", "chart-activity"):
        svg = page.locator(f"#{chart} svg")
        assert svg.is_visible() and svg.get_attribute("role") == "img"
        heights = svg.locator("rect.bar").evaluate_all("bars => bars.map(b => b.getBBox().height)")
        assert any(h > 0 for h in heights), (chart, heights)
    assert page.get_by_role("img", name="Open deal value by stage").is_visible()
    assert page.get_by_text("Weighted by probability").first.is_visible()
    screenshot(page, "dashboard")
    page.get_by_label("Pipeline", exact=True).select_option(label="Renewals")
    page.wait_for_url("**/dashboard?pipeline=*")
    page.locator("#chart-pipeline text.label", has_text="Upcoming").wait_for()


def test_the_dashboard_on_a_phone(crm: Crm, page: Any) -> None:
    seed(crm)
    page.set_viewport_size({"width": 390, "height": 844})
    crm.sign_in(page)
    page.goto(crm.url("/dashboard"))
    box = page.locator("#chart-pipeline svg").bounding_box()
    assert box is not None and box["width"] <= 390
    # The page's own content fits (the layout's header is the layout's business).
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390, width
