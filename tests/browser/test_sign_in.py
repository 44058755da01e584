"""Signing in with a real browser: the cookie is accepted, the API settings page shows."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Crm, screenshot


def test_sign_in_and_out(crm: Crm, page: Any) -> None:
    page.goto(crm.url("/settings/api"))
    page.wait_for_url("**/login?next=/settings/api")
    page.get_by_label("Email").fill(crm.admin_email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").filter(has_text="Invalid email or password").is_visible()
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/settings/api")
    assert page.get_by_text("Bundle alias").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["opensales_session"]["httpOnly"] and cookies["opensales_session"]["secure"]
    page.get_by_role("button", name="Generate a new API key").click()
    assert page.locator("#api-key").is_visible()
    screenshot(page, "api-settings")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
