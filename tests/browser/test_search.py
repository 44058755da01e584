"""Global search in a real browser: type in the header's box, see the dropdown, follow a
result; Escape closes it."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Crm, screenshot


def test_search_from_the_header(crm: Crm, page: Any) -> None:
    contact = crm.api.post(
        "/api/contacts",
        json={
            "contact": {"first_name": "Zebulon", "last_name": "Smith", "email": "zeb@example.com"}
        },
    ).json()["contact"]
    crm.api.post("/api/sales_accounts", json={"sales_account": {"name": "Zebulon Corp"}})
    crm.api.post("/api/deals", json={"deal": {"name": "Zebulon renewal", "amount": 500}})
    crm.sign_in(page)
    page.goto(crm.url("/settings/api"))
    box = page.get_by_label("Search every record")
    box.fill("zebul")
    results = page.locator("#search-results")
    results.get_by_role("link", name="Zebulon Smith", exact=True).wait_for()
    for heading in ("Contacts", "Accounts", "Deals"):
        assert results.get_by_role("heading", name=heading).is_visible()
    screenshot(page, "search")
    # Keyboard: Tab from the box reaches the results; Escape closes them.
    box.press("Tab")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    page.keyboard.press("Escape")
    assert results.inner_html() == ""
    assert page.evaluate("document.activeElement.id") == "global-search"
    box.fill("zebulon smith")
    results.get_by_role("link", name="Zebulon Smith", exact=True).click()
    page.wait_for_url(f"**/contacts/{contact['id']}")
