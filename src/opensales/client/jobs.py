"""Background jobs (bulk upserts): poll `job_statuses/{id}` until the job ends."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from opensales.client._calls import JobTicket
from opensales.client.errors import Timeout
from opensales.client.record import Record

if TYPE_CHECKING:
    from opensales.client._async import AsyncClient
    from opensales.client._sync import Client

FINISHED = frozenset({"SUCCESS", "FAILED"})
POLL_START = 0.05  # seconds; doubles up to POLL_MAX
POLL_MAX = 2.0


class _JobBase:
    def __init__(self, ticket: JobTicket) -> None:
        self.id = ticket.id
        self.message = ticket.message
        self.status: Record | None = None

    @property
    def path(self) -> str:
        return f"job_statuses/{self.id}"

    @property
    def done(self) -> bool:
        """Whether the last status seen says the job has ended (SUCCESS or FAILED)."""
        return self.status is not None and self.status.get("status") in FINISHED

    def _check_deadline(self, deadline: float) -> float:
        """Seconds left before `deadline`; raises Timeout once it has passed."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout(f"job {self.id} still running; last status: {self.status!r}")
        return left

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id}, status={self.status!r})"


class Job(_JobBase):
    """A background job of a `Client`."""

    def __init__(self, client: Client, ticket: JobTicket) -> None:
        super().__init__(ticket)
        self._client = client

    def refresh(self) -> Record:
        """Fetch the job's status: status, progress, data.record_status, failure report."""
        self.status = Record(self._client.request("GET", self.path))
        return self.status

    def wait(self, timeout: float = 300.0) -> Record:
        """Poll until the job ends; raise Timeout after `timeout` seconds. Answers the status."""
        deadline, pause = time.monotonic() + timeout, POLL_START
        while True:
            status = self.refresh()
            if status.get("status") in FINISHED:
                return status
            time.sleep(min(pause, self._check_deadline(deadline)))
            pause = min(pause * 2, POLL_MAX)


class AsyncJob(_JobBase):
    """A background job of an `AsyncClient`."""

    def __init__(self, client: AsyncClient, ticket: JobTicket) -> None:
        super().__init__(ticket)
        self._client = client

    async def refresh(self) -> Record:
        """Fetch the job's status: status, progress, data.record_status, failure report."""
        self.status = Record(await self._client.request("GET", self.path))
        return self.status

    async def wait(self, timeout: float = 300.0) -> Record:
        """Poll until the job ends; raise Timeout after `timeout` seconds. Answers the status."""
        deadline, pause = time.monotonic() + timeout, POLL_START
        while True:
            status = await self.refresh()
            if status.get("status") in FINISHED:
                return status
            await asyncio.sleep(min(pause, self._check_deadline(deadline)))
            pause = min(pause * 2, POLL_MAX)
