"""Lists in a real browser: paging and sorting swap the table, quick search as you type,
bulk assign, a phone's width, and a rep who cannot see another territory's records."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Crm, screenshot


def create(crm: Crm, path: str, root: str, body: dict[str, Any]) -> int:
    response = crm.api.post(f"/api/{path}", json={root: body})
    assert response.status_code == 200, response.text
    return int(response.json()[root]["id"])


def user_id(crm: Crm, email: str) -> int:
    users = crm.api.get("/api/selector/owners").json()["users"]
    return int(next(u["id"] for u in users if u["email"] == email))


def rows(page: Any) -> Any:
    return page.locator("#records tbody tr")


def wait_rows(page: Any, count: int) -> None:
    """Until htmx has swapped in a table of `count` rows."""
    page.wait_for_function(f"document.querySelectorAll('#records tbody tr').length === {count}")


def test_a_list_pages_sorts_and_searches(crm: Crm, page: Any) -> None:
    for n in range(30):
        create(crm, "deals", "deal", {"name": f"Deal {n:02d}", "amount": 1000 + n * 10})
    create(crm, "deals", "deal", {"name": "Quetzal expansion", "amount": 5})
    crm.sign_in(page)
    page.goto(crm.url("/deals"))
    assert rows(page).count() == 25
    screenshot(page, "deals-list")
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"/deals\?view=1&page=2$"))
    wait_rows(page, 6)
    page.get_by_role("link", name="Amount").click()
    page.wait_for_url(re.compile("sort=amount&sort_type=asc"))
    page.locator('th[aria-sort="ascending"]', has_text="Amount").wait_for()
    assert rows(page).first.get_by_role("link").inner_text() == "Quetzal expansion"
    page.get_by_role("link", name="Amount").click()
    page.wait_for_url(re.compile("sort=amount&sort_type=desc"))
    page.locator('th[aria-sort="descending"]', has_text="Amount").wait_for()
    assert rows(page).first.get_by_role("link").inner_text() == "Deal 29"
    page.get_by_label("Search deals").fill("quetzal")
    page.wait_for_url(re.compile("q=quetzal"))
    wait_rows(page, 1)
    assert "sort=amount&sort_type=desc" in page.url  # the search keeps the order
    assert page.get_by_role("link", name="Quetzal expansion").is_visible()


def test_bulk_assign_an_owner(crm: Crm, page: Any) -> None:
    email, _ = crm.add_user(name="Rita Rep")
    rep = user_id(crm, email)
    ids = [
        create(
            crm,
            "contacts",
            "contact",
            {
                "first_name": name,
                "last_name": "Okafor",
                "email": f"{name.lower()}@example.com",
                "job_title": title,
                "mobile_number": f"+1 555 010{n}",
            },
        )
        for n, (name, title) in enumerate((("Ada", "Buyer"), ("Bea", "CFO"), ("Cy", "Engineer")))
    ]
    crm.sign_in(page)
    page.goto(crm.url("/contacts"))
    screenshot(page, "contacts-list")
    page.get_by_label("Select all on this page").check()
    assert page.get_by_text("3 selected").is_visible()
    page.get_by_label("Select Cy Okafor").uncheck()
    assert page.get_by_text("2 selected").is_visible()
    page.get_by_label("Owner", exact=True).select_option(label="Rita Rep")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Assign owner").click()
    page.get_by_role("status").get_by_text("2 contacts assigned to Rita Rep.").wait_for()
    owners = [crm.api.get(f"/api/contacts/{i}").json()["contact"]["owner_id"] for i in ids]
    assert owners == [rep, rep, owners[2]] and owners[2] != rep


def test_a_phone_shows_the_list_without_scrolling_sideways(crm: Crm, page: Any) -> None:
    create(crm, "contacts", "contact", {"first_name": "Narrow", "email": "narrow@example.com"})
    page.set_viewport_size({"width": 390, "height": 844})
    crm.sign_in(page)
    page.goto(crm.url("/contacts"))
    assert page.get_by_role("link", name="Narrow").is_visible()
    assert not page.locator("th", has_text="Job title").is_visible()
    # The list itself fits (the layout's nav scrolls on its own).
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 390
    table = page.locator(".table-wrap")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_a_sales_rep_cannot_see_another_territorys_records(crm: Crm, page: Any) -> None:
    europe_email, _ = crm.add_user(territory="Europe", name="Erin Europe")
    americas_email, _ = crm.add_user(territory="Americas", name="Amos Americas")
    territories = crm.api.get("/api/selector/territories").json()["territories"]
    ids = {t["name"]: t["id"] for t in territories}
    theirs = create(
        crm,
        "contacts",
        "contact",
        {
            "first_name": "Hidden",
            "last_name": "Halvorsen",
            "mobile_number": "+1-555-0100",
            "owner_id": user_id(crm, americas_email),
            "territory_id": ids["Americas"],
        },
    )
    create(
        crm,
        "contacts",
        "contact",
        {
            "first_name": "Shown",
            "last_name": "Halvorsen",
            "mobile_number": "+1-555-0100",
            "owner_id": user_id(crm, europe_email),
            "territory_id": ids["Europe"],
        },
    )
    crm.sign_in(page, europe_email)
    page.goto(crm.url("/contacts"))
    page.get_by_label("View").select_option(label="All Contacts")
    page.wait_for_url(re.compile(r"/contacts\?view=\d+"))
    page.get_by_role("link", name="Shown Halvorsen").wait_for()
    assert page.get_by_role("link", name="Hidden Halvorsen").count() == 0
    page.get_by_label("Search contacts").fill("halvorsen")
    page.wait_for_url(re.compile("q=halvorsen"))
    wait_rows(page, 1)
    response = page.goto(crm.url(f"/contacts/{theirs}"))
    # Their record's page is, to this rep, a record that does not exist.
    assert response is not None and response.status == 404
    assert "Contact not found" in page.content() and "Hidden Halvorsen" not in page.content()
