"""One opensales server for a test session: the app in this process, served on a real port
by uvicorn on a thread of its own, so that code under test can use any HTTP library while
the test drives the same app (and the same database) directly."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import httpx
import uvicorn

from opensales import migrate
from opensales.app import create_app
from opensales.config import Settings
from opensales.test_control.faults import Fault
from opensales.test_control.service import TestControl

T = TypeVar("T")
P = ParamSpec("P")
STARTUP_SECONDS = 30.0
CALL_SECONDS = 60.0


class LiveServer:
    """`start()` migrates the database, serves the app and makes a workspace whose admin has
    `api_key`; `reset()` and the other controls run on the server's own event loop."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url or f"sqlite:///{data_dir / 'opensales.db'}"
        self.api_key = "test-" + secrets.token_urlsafe(18)
        self.workspace_id = 0
        self.user_id = 0
        self.app = create_app(
            Settings(
                database_url=self.database_url,
                data_dir=data_dir,
                test_mode=True,
                rate_limit_per_hour=10**9,  # the `unlimited` plan until a test picks one
            )
        )
        self.control: TestControl = self.app.state.test_control
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say they are
        # TCP, and without it every keep-alive call waits out a delayed ACK (about 40 ms).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> LiveServer:
        migrate.upgrade(self.database_url)
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        started = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(started,), name="opensales-test-server", daemon=True
        )
        self._thread.start()
        if not started.wait(STARTUP_SECONDS) or not self._server.started:
            self.stop()
            raise RuntimeError(f"the opensales test server did not start in {STARTUP_SECONDS}s")
        self.workspace_id, self.user_id = self.call(
            self.control.provision("test", "admin@example.com", self.api_key)
        )
        self.call(self.control.mark_baseline())
        return self

    def _serve(self, started: threading.Event) -> None:
        async def serve() -> None:
            assert self._server is not None
            self._loop = asyncio.get_running_loop()
            task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
            while not (self._server.started or task.done()):
                await asyncio.sleep(0.01)
            started.set()
            await task

        try:
            asyncio.run(serve())
        finally:
            started.set()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STARTUP_SECONDS)
        self._socket.close()
        self.control.clock.release()

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the server's event loop (where its database connection lives)."""
        assert self._loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(CALL_SECONDS)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for the API as the session's admin."""
        headers = {"Authorization": f"Token token={self.api_key}", **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    # --- the controls, as in docs/testing.md ----------------------------------------------

    def reset(self) -> None:
        self.call(self.control.reset())

    def release(self) -> None:
        """The clock, faults and rate limit back to their defaults (data untouched)."""
        self.call(_now(self.control.release))

    def snapshot(self, name: str) -> None:
        self.call(self.control.snapshot(name))

    def restore(self, name: str) -> None:
        self.call(self.control.restore(name))

    def load(self, fixture: dict[str, Any], api_key: str | None = None) -> dict[str, Any]:
        return self.call(self.control.load(fixture, api_key or self.api_key))

    def freeze_clock(self, at: datetime | str | None = None) -> datetime:
        from opensales.kit.dates import parse_datetime

        instant = parse_datetime(at) if isinstance(at, str) else at
        return self.call(_now(self.control.freeze_clock, instant))

    def advance_clock(self, seconds: float) -> datetime:
        return self.call(_now(self.control.advance_clock, seconds))

    def unfreeze_clock(self) -> None:
        self.call(_now(self.control.clock.release))

    def start_ids(self, start: int) -> None:
        self.call(self.control.start_ids(start))

    def rate_limit(
        self,
        profile: str | None = None,
        *,
        per_hour: int | None = None,
        per_minute: int | None = None,
    ) -> dict[str, Any]:
        return self.call(
            _now(self.control.rate_limit, profile, per_hour=per_hour, per_minute=per_minute)
        )

    def fail_next(
        self,
        path: str,
        *,
        status: int = 500,
        times: int = 1,
        method: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """The next `times` calls to `path` (a glob) answer `status`."""
        fault = Fault(path, method, status, times=times, retry_after=retry_after)
        self.call(_now(self.control.add_fault, fault))

    def slow_next(
        self, path: str, *, seconds: float, times: int = 1, method: str | None = None
    ) -> None:
        """The next `times` calls to `path` answer `seconds` late."""
        self.call(_now(self.control.add_fault, Fault(path, method, None, seconds, times)))

    def clear_faults(self) -> None:
        self.call(_now(self.control.faults.clear))


async def _now(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """A plain call, run on the server's loop like every other control (no locks needed)."""
    return function(*args, **kwargs)
