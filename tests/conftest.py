"""The suite runs every API test against SQLite and PostgreSQL.

Each backend gets one migrated database for the run (a fresh PostgreSQL database, dropped at
the end) and one app; each test gets a workspace of its own, which the tenancy rules keep
apart from every other test's data.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from opensales import migrate
from opensales.app import create_app
from opensales.config import Settings
from opensales.db import Conn

PG_ADMIN_URL = os.environ.get("OPENSALES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
_names = itertools.count(1)


def _pg_available() -> bool:
    import psycopg

    try:
        psycopg.connect(
            PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=3
        ).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped at the end."""
    import psycopg

    if not _pg_available():
        message = f"PostgreSQL is not answering at {PG_ADMIN_URL}: PostgreSQL half skipped"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run it)")
        pytest.skip(message)
    name = f"opensales_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'opensales.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


# The apps' data folders (uploaded files land there), removed when the run ends.
DATA_ROOT = Path(tempfile.mkdtemp(prefix="opensales-tests-"))
atexit.register(shutil.rmtree, DATA_ROOT, True)


def app_data_dir() -> Path:
    """A data folder of its own for one app."""
    return Path(tempfile.mkdtemp(dir=DATA_ROOT))


def make_client(database_url: str, **settings: Any) -> TestClient:
    config = Settings(
        database_url=database_url,
        data_dir=settings.pop("data_dir", None) or app_data_dir(),
        rate_limit_per_hour=settings.pop("rate_limit_per_hour", 10**9),
        **settings,
    )
    return TestClient(create_app(config), raise_server_exceptions=True)


@pytest.fixture(scope="session")
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(database_url) as test_client:
        yield test_client


def run_in_app(client: TestClient, work: Any) -> Any:
    """Run `work(tx)` in one transaction on the app's own database and event loop."""

    async def run() -> Any:
        async with client.app.state.db.transaction() as tx:  # type: ignore[attr-defined]
            return await work(tx)

    assert client.portal is not None
    return client.portal.call(run)


@dataclass
class Api:
    """An HTTP client for one user of a workspace: `api.get("/api/contacts/1")`."""

    client: TestClient
    key: str
    user_id: int
    workspace_id: int
    prefix: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            "Authorization": f"Token token={self.key}",
            **self.headers,
            **kwargs.pop("headers", {}),
        }
        return self.client.request(method, self.prefix + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def add_user(
        self,
        role: str = "sales_rep",
        territory: str | None = None,
        email: str | None = None,
        time_zone: str = "UTC",
    ) -> Api:
        """Another user of this workspace, with their own key."""
        from opensales.user.service import create_user

        async def work(tx: Conn) -> tuple[int, str]:
            territory_id = None
            if territory:
                territory_id = await tx.fetch_val(
                    "SELECT id FROM selector_options WHERE workspace_id = :ws "
                    "AND kind = 'territories' AND name = :n",
                    {"ws": self.workspace_id, "n": territory},
                )
            return await create_user(
                tx,
                self.workspace_id,
                email=email or f"user{next(_names)}@example.com",
                role=role,
                territory_id=territory_id,
                time_zone=time_zone,
            )

        user_id, key = run_in_app(self.client, work)
        return Api(self.client, key, user_id, self.workspace_id)

    def option_id(self, kind: str, name: str) -> int:
        """The id of a configuration option of this workspace, by its name."""
        found = run_in_app(
            self.client,
            lambda tx: tx.fetch_val(
                "SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = :k "
                "AND name = :n",
                {"ws": self.workspace_id, "k": kind, "n": name},
            ),
        )
        assert found, f"no {kind} option named {name}"
        return int(found)


def new_workspace(client: TestClient) -> Api:
    from opensales.user.service import create_user
    from opensales.workspace import service as workspaces

    name = f"ws-{uuid.uuid4().hex[:12]}"
    key = f"key-{uuid.uuid4().hex}"

    async def work(tx: Conn) -> tuple[int, int]:
        workspace_id = await workspaces.create(tx, name)
        # No password: hashing one (argon2) would cost every test ~0.1 s for nothing.
        user_id, _ = await create_user(
            tx,
            workspace_id,
            email="admin@example.com",
            display_name="Admin",
            role="admin",
            api_key=key,
        )
        return workspace_id, user_id

    workspace_id, user_id = run_in_app(client, work)
    return Api(client, key, user_id, workspace_id)


@pytest.fixture
def api(client: TestClient) -> Api:
    """The admin of a fresh workspace."""
    return new_workspace(client)


def assert_error(response: httpx.Response, status: int) -> str:
    """The response is Freshsales' error envelope with this status; answers its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["errors"], body
    assert body["errors"]["code"] == status, body
    message = body["errors"]["message"]
    assert isinstance(message, str) and message, body
    return message


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests last: they are the slowest, and every other failure shows first."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
