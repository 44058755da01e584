"""The recycle bin in a real browser: restore a contact deleted through the API."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Crm, screenshot


def _contact(crm: Crm, first: str, last: str) -> dict[str, Any]:
    body = {"contact": {"first_name": first, "last_name": last, "mobile_number": "+1-555-0100"}}
    contact: dict[str, Any] = crm.api.post("/api/contacts", json=body).json()["contact"]
    return contact


def test_restore_from_the_recycle_bin(crm: Crm, page: Any) -> None:
    created = _contact(crm, "Rita", "Restored")
    gary = _contact(crm, "Gary", "Gone")
    assert crm.api.delete(f"/api/contacts/{created['id']}").status_code == 200
    assert crm.api.delete(f"/api/contacts/{gary['id']}").status_code == 200
    crm.sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recycle bin").click()
    page.wait_for_url("**/recycle-bin")
    assert page.get_by_text("Gary Gone").is_visible()
    screenshot(page, "recycle-bin")
    page.get_by_label("Rita Restored").check()
    page.get_by_role("button", name="Restore selected").click()
    assert page.get_by_role("status").filter(has_text="Restored 1 contacts").is_visible()
    assert page.get_by_text("Rita Restored").count() == 0
    assert crm.api.get(f"/api/contacts/{created['id']}").status_code == 200
    assert crm.api.get(f"/api/contacts/{gary['id']}").status_code == 404
