"""Record pages in a real browser: create a contact with a custom field, edit a field in
place with the keyboard alone, and a deal's page on a laptop and a phone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Crm, screenshot

FOCUSED = "name => document.activeElement?.getAttribute('aria-label') === name"
PHONE = {"width": 390, "height": 844}
# The page's own parts end within the screen (tables scroll inside their frames).
FITS = """() => [...document.querySelectorAll('.record-head, .record-layout, .record-layout .card')]
    .every(e => e.getBoundingClientRect().right <= window.innerWidth)"""


def post(crm: Crm, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = crm.api.post(path, json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_create_a_contact_with_a_custom_field(crm: Crm, page: Any) -> None:
    post(
        crm,
        "/api/settings/contacts/forms/1/fields",
        {"field": {"label": "Region", "type": "dropdown", "choices": ["EMEA", "APAC"]}},
    )
    crm.sign_in(page)
    page.goto(crm.url("/contacts/new"))
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Job title").fill("Rear Admiral")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Region").select_option("EMEA")
    screenshot(page, "new-contact")
    page.get_by_role("button", name="Create contact").click()
    page.wait_for_url(re.compile(r".*/contacts/\d+$"))
    assert page.get_by_role("heading", name="Grace Hopper").is_visible()
    assert page.locator("#field-cf_region .value").inner_text() == "EMEA"


def test_edit_a_field_with_the_keyboard(crm: Crm, page: Any) -> None:
    account = post(crm, "/api/sales_accounts", {"sales_account": {"name": "Analytical Engines"}})
    contact = post(
        crm,
        "/api/contacts",
        {
            "contact": {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "job_title": "Analyst",
                "email": "ada@example.com",
                "city": "London",
                "sales_accounts": [{"id": account["sales_account"]["id"], "is_primary": True}],
            }
        },
    )["contact"]
    post(
        crm,
        "/api/deals",
        {
            "deal": {
                "name": "Notes on the Engine",
                "amount": 4200,
                "contacts_added_list": [contact["id"]],
            }
        },
    )
    crm.sign_in(page)
    page.goto(crm.url(f"/contacts/{contact['id']}"))
    page.get_by_role("button", name="Edit Job title").focus()
    page.keyboard.press("Enter")
    field = page.get_by_role("textbox", name="Job title")
    expect(field).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Countess")
    page.keyboard.press("Enter")
    page.locator("#field-job_title .value", has_text="Countess").wait_for()
    # Focus is back on the field's Edit button; Escape abandons an edit.
    page.wait_for_function(FOCUSED, arg="Edit Job title")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Job title")).to_be_focused()
    page.keyboard.type(" of Lovelace")
    page.keyboard.press("Escape")
    page.locator("#field-job_title .value", has_text="Countess").wait_for()
    saved = crm.api.get(f"/api/contacts/{contact['id']}").json()["contact"]
    assert saved["job_title"] == "Countess"
    page.wait_for_load_state("networkidle")
    screenshot(page, "contact")


def test_deal_page_on_a_laptop_and_a_phone(crm: Crm, page: Any) -> None:
    account = post(crm, "/api/sales_accounts", {"sales_account": {"name": "Analytical Engines"}})
    contact = post(
        crm,
        "/api/contacts",
        {"contact": {"first_name": "Ada", "last_name": "King", "email": "ada@example.com"}},
    )
    product = post(
        crm,
        "/api/cpq/products",
        {
            "product": {
                "name": "Difference Engine",
                "pricing_type": 1,
                "product_pricings": [{"currency_code": "USD", "unit_price": 12500}],
            }
        },
    )["product"]
    deal = post(
        crm,
        "/api/deals",
        {
            "deal": {
                "name": "Engine for the Royal Society",
                "sales_account_id": account["sales_account"]["id"],
                "contacts_added_list": [contact["contact"]["id"]],
                "products": [{"id": product["id"], "quantity": 2}],
                "expected_close": "2027-03-31",
            }
        },
    )["deal"]
    crm.sign_in(page)
    page.goto(crm.url(f"/deals/{deal['id']}"))
    assert page.locator("#field-amount .value").inner_text() == "25,000.00"
    assert page.get_by_role("link", name="Analytical Engines").is_visible()
    assert page.get_by_role("cell", name="Difference Engine").is_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "deal")
    page.set_viewport_size(PHONE)
    assert page.evaluate(FITS), "the record page is wider than a phone"
    assert page.get_by_role("button", name="Edit Deal stage").is_visible()
