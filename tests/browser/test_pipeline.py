"""The pipeline board in a real browser: drag a deal to another stage and see the timeline
entry; a lost stage asks for the reason first; the keyboard's "Move to stage"; a phone's
width."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Crm, screenshot


def make_deal(crm: Crm, **deal: Any) -> dict[str, Any]:
    response = crm.api.post("/api/deals", json={"deal": deal})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["deal"]
    return found


def stage_ids(crm: Crm) -> dict[str, int]:
    pipelines = crm.api.get("/api/selector/deal_pipelines").json()["deal_pipelines"]
    return {s["name"]: s["id"] for p in pipelines for s in p["deal_stages"]}


def column(page: Any, stage: str) -> Any:
    return page.locator("section.stage").filter(has=page.get_by_role("heading", name=stage))


def card(page: Any, name: str) -> Any:
    return page.locator("li.deal").filter(has=page.get_by_role("link", name=name))


def drag(page: Any, source: Any, target: Any) -> None:
    """Drag with the mouse in small steps, as a person does (SortableJS follows the moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=12)
    page.mouse.up()


def seed_board(crm: Crm) -> dict[str, Any]:
    """A board worth a screenshot; answers the deal the tests move."""
    stages = stage_ids(crm)
    account = crm.api.post("/api/sales_accounts", json={"sales_account": {"name": "Northwind"}})
    account_id = account.json()["sales_account"]["id"]
    mover = make_deal(
        crm,
        name="Northwind renewal",
        amount=12000,
        sales_account_id=account_id,
        expected_close="2027-01-29",
    )
    for name, amount, stage in (
        ("Acme rollout", 48000, "Follow-up"),
        ("Globex pilot", 9500, "Under review"),
        ("Initech seats", 22000, "Negotiation"),
        ("Umbrella upgrade", 5400, "New"),
    ):
        make_deal(crm, name=name, amount=amount, deal_stage_id=stages[stage])
    return mover


def test_drag_a_deal_to_another_stage_and_see_the_timeline_entry(crm: Crm, page: Any) -> None:
    deal = seed_board(crm)
    crm.sign_in(page)
    assert column(page, "New").locator(".count").inner_text() == "2 deals"
    screenshot(page, "pipeline")
    drag(page, card(page, "Northwind renewal"), column(page, "Demo").locator("ol.cards"))
    page.wait_for_function(
        "() => document.querySelector('#board') && [...document.querySelectorAll('.stage')]"
        ".some(s => s.querySelector('h2').textContent === 'Demo'"
        " && s.querySelector('.count').textContent === '1 deal')"
    )
    assert column(page, "Demo").locator(".total").inner_text() == "USD 12,000.00"
    assert column(page, "New").locator(".count").inner_text() == "1 deal"
    card(page, "Northwind renewal").get_by_role("link").click()
    page.wait_for_url(f"**/deals/{deal['id']}")
    activity = page.locator("#activity")
    activity.get_by_text(re.compile(r"stage changed .*Demo")).wait_for()


def test_a_lost_stage_asks_for_the_reason(crm: Crm, page: Any) -> None:
    deal = seed_board(crm)
    crm.sign_in(page)
    lost = column(page, "Lost").locator("ol.cards")
    drag(page, card(page, "Northwind renewal"), lost)
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.get_by_label("Lost reason").is_visible()
    dialog.get_by_role("button", name="Cancel").click()
    column(page, "New").locator("li.deal", has_text="Northwind renewal").wait_for()
    assert column(page, "Lost").locator("li.deal").count() == 0
    page.wait_for_timeout(250)  # SortableJS ignores a card while it animates (150 ms)
    drag(page, card(page, "Northwind renewal"), lost)
    dialog.get_by_role("button", name="Save").click()  # no reason yet: the form refuses
    assert dialog.is_visible()
    dialog.get_by_label("Lost reason").select_option(label="Price is too high")
    dialog.get_by_label("Note").fill("Went with a cheaper rival")
    dialog.get_by_role("button", name="Save").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.stage')].some(s => "
        "s.querySelector('h2').textContent === 'Lost' && "
        "s.querySelector('.count').textContent === '1 deal')"
    )
    stored = crm.api.get(f"/api/deals/{deal['id']}?include=deal_reason,notes").json()
    assert stored["deal"]["forecast_type"] == "lost"
    assert stored["deal_reasons"][0]["name"] == "Price is too high"
    assert stored["notes"][0]["description"] == "Went with a cheaper rival"


def test_move_with_the_keyboard_on_a_phone(crm: Crm, page: Any) -> None:
    seed_board(crm)
    page.set_viewport_size({"width": 390, "height": 844})
    crm.sign_in(page)
    board = page.locator("#board")
    assert board.evaluate("b => b.scrollWidth > b.clientWidth")  # columns scroll sideways
    assert board.evaluate("b => b.getBoundingClientRect().right <= window.innerWidth")
    select = page.get_by_label("Move Globex pilot to stage")
    select.focus()
    select.select_option(label="Negotiation")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the "Move" button
    page.wait_for_function(
        "() => [...document.querySelectorAll('.stage')].some(s => "
        "s.querySelector('h2').textContent === 'Negotiation' && "
        "s.querySelector('.count').textContent === '2 deals')"
    )
    assert page.evaluate("() => document.activeElement.id").startswith("move-")
    # A deal deleted meanwhile: the error shows, and its card stays where it was.
    gone = card(page, "Umbrella upgrade")
    crm.api.delete(f"/api/deals/{gone.get_attribute('data-deal-id')}")
    gone.get_by_label("Move Umbrella upgrade to stage").select_option(label="Demo")
    gone.get_by_role("button", name="Move").click()
    page.get_by_role("alert").get_by_text("Deal not found").wait_for()
    assert gone.get_by_label("Move Umbrella upgrade to stage").input_value() == str(
        stage_ids(crm)["New"]
    )
