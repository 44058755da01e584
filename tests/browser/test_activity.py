"""A record's activity area in a real browser: on a contact's page, add a note and log a
call, and see both in the timeline; the area fits a phone's width."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Crm, screenshot


def test_add_a_note_and_log_a_call_on_a_contact(crm: Crm, page: Any) -> None:
    body = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}
    response = crm.api.post("/api/contacts", json={"contact": body})
    assert response.status_code == 200, response.text
    contact_id = response.json()["contact"]["id"]
    crm.sign_in(page)
    page.goto(crm.url(f"/contacts/{contact_id}"))

    activity = page.locator("#activity")
    activity.get_by_label("Note", exact=True).fill(
        "Met at the conference; wants a demo in January."
    )
    activity.get_by_role("button", name="Add note").click()
    timeline = activity.get_by_role("list", name="Timeline")
    timeline.get_by_text("Met at the conference").wait_for()
    # Keyboard users stay where they were: in the (emptied) note field.
    assert page.evaluate("document.activeElement.id") == "act-note"

    activity.locator("summary", has_text="Log call").click()
    activity.get_by_label("Incoming").check()
    activity.get_by_label("Outcome").select_option(label="Interested")
    activity.get_by_label("Call notes").fill("Called back about pricing.")
    activity.get_by_role("button", name="Log call").click()
    timeline.get_by_text("Call logged (incoming): Interested").wait_for()
    assert timeline.get_by_text("Called back about pricing.").is_visible()
    assert timeline.get_by_text("Met at the conference").is_visible()
    # The form just used stays open, empty, for the next call.
    assert activity.get_by_label("Call notes").input_value() == ""
    activity.locator("summary", has_text="Log call").click()
    activity.evaluate("el => el.scrollIntoView()")
    screenshot(page, "timeline")

    page.set_viewport_size({"width": 390, "height": 844})
    fits = activity.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert fits, "the activity area overflows a phone's width"
