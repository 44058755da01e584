"""Real `opensales serve` processes for the crash and multi-process tests.

Every wait is bounded, and `servers()` kills whatever it started, whatever happens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_ADMIN_URL, _pg_available

OPENSALES = str(Path(sys.executable).with_name("opensales"))
STARTUP_SECONDS = 60.0
COMMAND_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSALES_")}
    env["OPENSALES_DATA_DIR"] = str(data_dir)
    if database_url:
        env["OPENSALES_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def init_workspace(env: dict[str, str], api_key: str, workspace: str = "default") -> None:
    """`opensales init`: the schema, a workspace and its admin with `api_key`."""
    done = subprocess.run(
        [
            *(OPENSALES, "init", "--email", "admin@example.com", "--password", "secret"),
            *("--api-key", api_key, "--workspace", workspace),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass
class Server:
    """One `opensales serve` process; `log` holds its output."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [OPENSALES, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}: {self.output()}")
            try:
                # Not under /api: readiness probes must not count against the rate limit.
                if httpx.get(self.url + "/openapi.json", timeout=2.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"server not answering after {STARTUP_SECONDS}s: {self.output()}")

    def kill(self) -> None:
        """SIGKILL, as a crash would; then reap the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def client(self, api_key: str, **kwargs: Any) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Token token={api_key}"},
            timeout=kwargs.pop("timeout", 30.0),
            **kwargs,
        )


@contextmanager
def servers() -> Iterator[list[Server]]:
    """A list to append started servers to; each is killed on the way out."""
    started: list[Server] = []
    try:
        yield started
    finally:
        for server in started:
            server.kill()


@contextmanager
def backend_url(backend: str, tmp_path: Path) -> Iterator[str | None]:
    """None for SQLite in the data folder; for PostgreSQL a fresh database, dropped after."""
    if backend == "sqlite":
        yield None
        return
    import psycopg

    if not _pg_available():
        pytest.skip(f"PostgreSQL is not answering at {PG_ADMIN_URL}")
    name = f"opensales_proc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
