"""The pytest fixtures. Kept free of heavy imports: pytest loads this plugin in every session
of an environment where opensales is installed, used or not."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from opensales.testing.server import LiveServer

DATABASE_ENV = "OPENSALES_TESTING_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--opensales-database-url",
        default=None,
        help=f"the database the opensales fixture uses (default: ${DATABASE_ENV}, else a "
        "temporary SQLite file); on PostgreSQL, an empty database of its own",
    )


@pytest.fixture(scope="session")
def opensales_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One opensales server for the session: `base_url`, `api_key`, and the controls."""
    from opensales.testing.server import LiveServer

    url = request.config.getoption("--opensales-database-url") or os.environ.get(DATABASE_ENV)
    server = LiveServer(tmp_path_factory.mktemp("opensales"), url).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def opensales(opensales_server: LiveServer) -> Iterator[LiveServer]:
    """The session's server, reset to its baseline for this test; the clock, faults and
    rate limit go back to their defaults after it."""
    opensales_server.reset()
    yield opensales_server
    opensales_server.release()
