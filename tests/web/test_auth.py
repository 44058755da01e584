"""Signing in and out of the web app: cookies, CSRF, lockout, and the API settings page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from opensales.kit.dates import set_clock
from opensales.user.service import set_active
from tests.conftest import Api, run_in_app
from tests.web.conftest import Browser, browser_for, with_password


def test_pages_send_a_stranger_to_sign_in(client: object, api: Api) -> None:
    stranger = Browser(api.client, api)
    response = stranger.get("/settings/api?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings/api?x=1"
    htmx = stranger.get("/settings/api", htmx=True)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/login")
    assert stranger.get("/").headers["location"] == "/login"


def test_sign_in_sets_a_secure_http_only_same_site_cookie(api: Api) -> None:
    email = with_password(api)
    browser = Browser(api.client, api)
    form = browser.get("/login")
    assert form.status_code == 200 and 'for="email"' in form.text and 'for="password"' in form.text
    response = browser.sign_in(email)
    assert response.status_code == 303 and response.headers["location"] == "/pipeline"
    session_cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("opensales_session=")
    )
    assert "HttpOnly" in session_cookie and "Secure" in session_cookie
    assert "SameSite=lax" in session_cookie
    page = browser.page("/settings/api")
    assert "Sign out" in page


def test_wrong_password_then_lockout_after_five(api: Api) -> None:
    email = with_password(api)
    browser = Browser(api.client, api)
    for _ in range(5):
        response = browser.sign_in(email, "wrong")
        assert response.status_code == 401
        assert "Invalid email or password" in response.text
    locked = browser.sign_in(email)  # even the right password, while locked
    assert locked.status_code == 403
    assert "locked" in locked.text
    unknown = browser.sign_in("nobody@example.com", "x")
    assert unknown.status_code == 401 and "Invalid email or password" in unknown.text


def test_sign_in_needs_the_forms_csrf_token(api: Api) -> None:
    email = with_password(api)
    browser = Browser(api.client, api)
    browser.get("/login")
    response = browser.post(
        "/login", data={"email": email, "password": "x", "csrf_token": "forged"}, csrf=False
    )
    assert response.status_code == 403 and "expired" in response.text


def test_forms_without_the_sessions_csrf_token_are_refused(web: Browser) -> None:
    refused = web.post("/settings/api/key", data={}, csrf=False)
    assert refused.status_code == 403 and "expired" in refused.text
    forged = web.post("/settings/api/key", data={"csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 403
    in_form = web.post("/settings/api/key", data={"csrf_token": web.csrf}, csrf=False)
    assert in_form.status_code == 200


def test_next_never_leaves_the_site(api: Api) -> None:
    email = with_password(api)
    browser = Browser(api.client, api)
    form = browser.get("/login?next=//evil.example/x")
    assert 'value="/pipeline"' in form.text
    browser.get("/login?next=/my-day")
    token = browser.cookies["opensales_login_csrf"]
    response = browser.post(
        "/login",
        data={
            "email": email,
            "password": "correct horse battery staple",
            "csrf_token": token,
            "next": "https://evil.example",
        },
        csrf=False,
    )
    assert response.headers["location"] == "/pipeline"


def test_sign_out_ends_the_session(web: Browser) -> None:
    old_cookie = dict(web.cookies)
    response = web.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    web.cookies = old_cookie  # replaying the old cookie does not help
    assert web.get("/settings/api").status_code == 303


def test_deactivated_users_are_signed_out(api: Api) -> None:
    rep = api.add_user()
    browser = browser_for(rep)
    assert browser.get("/settings/api").status_code == 200
    run_in_app(api.client, lambda tx: set_active(tx, rep.user_id, False))
    assert browser.get("/settings/api").status_code == 303


def test_api_settings_show_the_bundle_alias_and_make_a_key_that_works(web: Browser) -> None:
    page = web.page("/settings/api")
    assert "Bundle alias" in page and "/crm/sales/api" in page
    response = web.post("/settings/api/key")
    assert response.status_code == 200
    key = re.search(r'<code id="api-key" class="secret">([^<]+)</code>', response.text)
    assert key
    fresh = Api(web.client, key.group(1), web.api.user_id, web.api.workspace_id)
    assert fresh.get("/api/contacts/filters").status_code == 200
    assert web.api.get("/api/contacts/filters").status_code == 401  # the old key stopped


def test_web_errors_are_pages_and_api_errors_stay_json(web: Browser) -> None:
    missing = web.get("/no-such-page")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    api_missing = web.api.get("/api/no-such-thing")
    assert api_missing.status_code == 404 and api_missing.json()["errors"]["code"] == 404


def test_sessions_expire_and_are_cleared_at_the_next_sign_in(web: Browser) -> None:
    later = datetime.now(UTC) + timedelta(days=15)
    set_clock(lambda: later)
    try:
        assert web.get("/settings/api").status_code == 303  # expired after 14 days
        assert web.sign_in(web.email).status_code == 303
        left = run_in_app(
            web.client,
            lambda tx: tx.fetch_val(
                "SELECT count(*) FROM web_sessions WHERE user_id = :id", {"id": web.api.user_id}
            ),
        )
        assert left == 1
    finally:
        set_clock(None)
