"""A live opensales server per backend (a real HTTP port), and SDK clients for it.

The server runs in a background thread with uvicorn; each test gets a fresh workspace, made
through the suite's TestClient on the same database, and a `Client` holding its admin key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from opensales.app import create_app
from opensales.client import Client
from opensales.config import Settings
from tests.conftest import Api, app_data_dir, new_workspace
from tests.server_process import free_port

STARTUP_SECONDS = 30.0


@contextmanager
def live_server(database_url: str, **settings: Any) -> Iterator[str]:
    """Serve `create_app` on a free port for the duration; yields its base URL."""
    config = Settings(
        database_url=database_url,
        data_dir=app_data_dir(),
        rate_limit_per_hour=settings.pop("rate_limit_per_hour", 10**9),
        **settings,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config), host="127.0.0.1", port=port, log_level="warning", ws="none"
        )
    )
    thread = threading.Thread(target=server.run, name=f"opensales-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"the live server on port {port} did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)


@pytest.fixture(scope="session")
def base_url(database_url: str) -> Iterator[str]:
    with live_server(database_url) as url:
        yield url


@pytest.fixture
def admin(client: TestClient) -> Api:
    """The admin of a fresh workspace (its key works on the live server: same database)."""
    return new_workspace(client)


@pytest.fixture
def sdk(base_url: str, admin: Api) -> Iterator[Client]:
    with Client(base_url, admin.key, timeout=30.0) as sdk_client:
        yield sdk_client
