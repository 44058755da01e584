"""The web app through HTTP: a `Browser` is one signed-in person (their own cookies and
CSRF token) on the suite's shared app, against SQLite and PostgreSQL like every test."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from opensales.db import Conn
from opensales.user.service import set_password
from tests.conftest import Api, run_in_app

ORIGIN = "https://testserver"  # the session cookie is Secure
PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Browser:
    """One person's browser: keeps its cookies apart from every other test's."""

    client: TestClient
    api: Api
    email: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def request(
        self, method: str, path: str, *, htmx: bool = False, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        if csrf and method not in ("GET", "HEAD") and self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        self.client.cookies.clear()
        response = self.client.request(
            method, ORIGIN + path, headers=headers, follow_redirects=False, **kwargs
        )
        self.client.cookies.clear()
        self._keep_cookies(response)
        return response

    def _keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, data=data, **kwargs)

    def page(self, path: str) -> str:
        """A page's HTML, which must answer 200."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.text

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        form = self.get("/login")
        token = CSRF_FIELD.search(form.text)
        assert token, form.text
        response = self.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
            csrf=False,
        )
        if response.status_code == 303:
            self.email = email
            found = CSRF_META.search(self.page("/settings/api"))
            assert found
            self.csrf = found.group(1)
        return response


def with_password(api: Api, password: str = PASSWORD) -> str:
    """Give the user a password (and the workspace's admin an email no other test's admin
    has: sign-in finds users by email across workspaces); answers their email."""

    async def work(tx: Conn) -> str:
        await set_password(tx, api.user_id, password)
        await tx.execute(
            "UPDATE users SET email = :email WHERE id = :id AND email = 'admin@example.com'",
            {"email": f"admin-{uuid.uuid4().hex[:8]}@example.com", "id": api.user_id},
        )
        return str(
            await tx.fetch_val("SELECT email FROM users WHERE id = :id", {"id": api.user_id})
        )

    return str(run_in_app(api.client, work))


def browser_for(api: Api) -> Browser:
    """A browser signed in as the user of `api`."""
    browser = Browser(api.client, api)
    response = browser.sign_in(with_password(api))
    assert response.status_code == 303, response.text
    return browser


@pytest.fixture
def web(api: Api) -> Browser:
    """The admin of a fresh workspace, signed in to the web app."""
    return browser_for(api)


def new_rep(api: Api, territory: str | None = None, role: str = "sales_rep") -> Browser:
    """Another user of the workspace, signed in."""
    return browser_for(
        api.add_user(
            role=role, territory=territory, email=f"rep-{uuid.uuid4().hex[:8]}@example.com"
        )
    )
