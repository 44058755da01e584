"""Browser tests: real Chromium (Debian's, at /usr/bin/chromium; `make test` installs it)
driven by Playwright, against a live opensales server on SQLite.

One server and one browser serve the whole run; each test gets a workspace of its own
(`crm`) and a fresh browser context (its own cookies), signed in as that workspace's admin
or as another user it makes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from opensales.testing.server import LiveServer
from opensales.user.service import create_user
from opensales.workspace import service as workspaces

CHROMIUM = os.environ.get("OPENSALES_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("browser-server")).start()
    yield server
    server.stop()


# Package-scoped: Playwright's sync API keeps an event loop running on the main thread until
# it stops, which would break every later test that runs one of its own.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make test` installs Debian's chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@dataclass
class Crm:
    """A workspace of its own on the live server: its admin's API, and users to sign in as."""

    server: LiveServer
    workspace_id: int
    admin_email: str
    api: httpx.Client

    def add_user(
        self, role: str = "sales_rep", territory: str | None = None, name: str | None = None
    ) -> tuple[str, httpx.Client]:
        """A user with PASSWORD: their email and an API client acting as them."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"

        async def work() -> str:
            async with self.server.app.state.db.transaction() as tx:
                territory_id = None
                if territory:
                    territory_id = await tx.fetch_val(
                        "SELECT id FROM selector_options WHERE workspace_id = :ws "
                        "AND kind = 'territories' AND name = :n",
                        {"ws": self.workspace_id, "n": territory},
                    )
                _, key = await create_user(
                    tx,
                    self.workspace_id,
                    email=email,
                    display_name=name,
                    role=role,
                    password=PASSWORD,
                    territory_id=territory_id,
                )
                return key

        key = self.server.call(work())
        return email, _api(self.server, key)

    def sign_in(self, page: Any, email: str | None = None) -> None:
        page.goto(self.server.base_url + "/login")
        page.get_by_label("Email").fill(email or self.admin_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/pipeline")

    def url(self, path: str) -> str:
        return self.server.base_url + path


def _api(server: LiveServer, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Token token={key}"},
        timeout=30,
    )


@pytest.fixture
def crm(live_server: LiveServer) -> Iterator[Crm]:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"

    async def work() -> tuple[int, str]:
        async with live_server.app.state.db.transaction() as tx:
            workspace_id = await workspaces.create(tx, f"browser-{uuid.uuid4().hex[:10]}")
            _, key = await create_user(
                tx,
                workspace_id,
                email=email,
                display_name="Ada Admin",
                role="admin",
                password=PASSWORD,
            )
            return workspace_id, key

    workspace_id, key = live_server.call(work())
    with _api(live_server, key) as api:
        yield Crm(live_server, workspace_id, email, api)


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page: Any, name: str) -> None:
    """Save docs/screenshots/<name>.png when OPENSALES_SCREENSHOTS=1 (`make screenshots`)."""
    if os.environ.get("OPENSALES_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
