"""Admin settings in a real browser: an admin invites a user and adds a pipeline stage; a
sales rep cannot open the admin pages."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Crm, screenshot


def test_a_sales_rep_cannot_open_the_admin_pages(crm: Crm, page: Any) -> None:
    email, _ = crm.add_user("sales_rep", territory="Europe")
    crm.sign_in(page, email)
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Recycle bin").is_visible()
    assert nav.get_by_role("link", name="Admin").count() == 0
    response = page.goto(crm.url("/admin/users"))
    assert response is not None and response.status == 403
    assert page.get_by_text("Only admins can open the admin settings").is_visible()


def test_admin_invites_a_user_and_adds_a_stage(crm: Crm, page: Any) -> None:
    crm.add_user("manager", territory="Europe", name="Mia Manager")
    crm.sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Users and roles").click()
    page.wait_for_url("**/admin/users")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Name", exact=True).fill("Nina Newbie")
    page.get_by_label("Role", exact=True).select_option("sales_rep")
    page.get_by_label("Territory", exact=True).select_option(label="Asia Pacific")
    page.get_by_role("button", name="Invite").click()
    page.get_by_role("heading", name="newbie@example.com can sign in now").wait_for()
    assert page.locator("#new-password").inner_text().strip()
    screenshot(page, "admin-users")

    page.goto(crm.url("/admin/pipelines"))
    renewals = page.get_by_role("region", name="Renewals")
    renewals.get_by_label("New stage in Renewals").fill("Gone quiet")
    renewals.get_by_label("Probability (%)").last.fill("5")
    renewals.get_by_label("Forecast type").last.select_option("lost")
    renewals.get_by_role("button", name="Add").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("region", name="Renewals").get_by_label("Name").last.input_value() == (
        "Gone quiet"
    )
    stages = crm.api.get("/api/selector/deal_stages?per_page=100").json()["deal_stages"]
    added = next(s for s in stages if s["name"] == "Gone quiet")
    assert added["probability"] == 5 and added["forecast_type"] == "lost"
    page.get_by_role("region", name="Renewals").scroll_into_view_if_needed()
    screenshot(page, "admin-pipelines")

    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/admin/users", "/admin/pipelines", "/admin/fields/contacts"):
        page.goto(crm.url(path))
        # The page's own content fits a phone (wide tables scroll in their frame).
        width = page.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 390, (path, width)
