"""Requests per hour per workspace, shared by every server process through the database.

Each process counts locally and publishes its count at most once per `flush_seconds`, reading
back the shared total; so the limit holds across processes to within a second's worth of
requests, and a request costs a dictionary lookup, not a write.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from opensales.db import Database

_PUBLISH = (
    "INSERT INTO rate_limit_windows (workspace_id, window_start, count) VALUES (:ws, :w, :n) "
    "ON CONFLICT (workspace_id, window_start) DO UPDATE "
    "SET count = rate_limit_windows.count + :n RETURNING count"
)
WINDOW = 3600


@dataclass(slots=True)
class _Counter:
    window: int
    shared: int = 0  # the total last read from the database, this process's share included
    pending: int = 0  # counted here since then
    synced_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds when the window ends
    retry_after: int = 0  # seconds until a refused request may be sent again
    period: str = "hour"  # the window whose limit this verdict reports

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_at).encode()),
        ]
        if not self.allowed:
            found.append((b"retry-after", str(self.retry_after).encode()))
        return found


class RateLimiter:
    def __init__(self, db: Database, limit: int, flush_seconds: float) -> None:
        self.db = db
        self.limit = limit
        self.flush_seconds = flush_seconds
        self._counters: dict[int, _Counter] = {}
        # A per-minute limit, as Freshsales plans also have; set by the test double's plan
        # profiles (opensales/test_control) and counted in this process only.
        self.per_minute: int | None = None
        self._minutes: dict[int, tuple[int, int]] = {}  # workspace -> (minute, count)
        # The test double points this at its clock, so that moving it opens a new window.
        self.clock: Callable[[], float] = time.time

    def configure(self, per_hour: int, per_minute: int | None) -> None:
        """New limits, with every count started afresh."""
        self.limit, self.per_minute = per_hour, per_minute
        self.forget()

    def forget(self) -> None:
        """Drop the counts held in this process (the shared table is the database's)."""
        self._counters.clear()
        self._minutes.clear()

    async def hit(self, workspace_id: int) -> Verdict:
        now = self.clock()
        window = int(now // WINDOW)
        counter = self._counters.get(workspace_id)
        if counter is None or counter.window != window:
            counter = self._counters[workspace_id] = _Counter(window)
        # Count this request before publishing, so the total read back includes it; a
        # refused request is taken back (a negative pending count is published later).
        counter.pending += 1
        if now - counter.synced_at >= self.flush_seconds:
            await self._publish(workspace_id, counter, now)
        used = counter.shared + counter.pending
        allowed = used <= self.limit
        if not allowed:
            counter.pending -= 1
            used -= 1
        reset_at = (window + 1) * WINDOW
        if allowed and self.per_minute is not None and not self._within_minute(workspace_id, now):
            counter.pending -= 1
            minute_end = (int(now // 60) + 1) * 60
            return Verdict(False, self.per_minute, 0, minute_end, _wait(now, minute_end), "minute")
        wait = 0 if allowed else _wait(now, reset_at)
        return Verdict(allowed, self.limit, max(0, self.limit - used), reset_at, wait)

    def _within_minute(self, workspace_id: int, now: float) -> bool:
        """Count the request in its minute; False (and not counted) past the limit."""
        minute = int(now // 60)
        seen, count = self._minutes.get(workspace_id, (minute, 0))
        count = count if seen == minute else 0
        if self.per_minute is not None and count >= self.per_minute:
            return False
        self._minutes[workspace_id] = (minute, count + 1)
        return True

    async def _publish(self, workspace_id: int, counter: _Counter, now: float) -> None:
        # Take the count out before awaiting: requests counted meanwhile (on PostgreSQL,
        # concurrent publishes interleave) stay pending instead of being published twice.
        sent, counter.pending = counter.pending, 0
        try:
            async with self.db.transaction() as tx:
                shared = await tx.fetch_val(
                    _PUBLISH, {"ws": workspace_id, "w": counter.window, "n": sent}
                )
        except BaseException:
            counter.pending += sent
            raise
        counter.shared = int(shared)
        counter.synced_at = now

    async def flush(self) -> None:
        """Publish every pending count (at shutdown)."""
        now = self.clock()
        for workspace_id, counter in self._counters.items():
            if counter.pending:
                await self._publish(workspace_id, counter, now)


def _wait(now: float, until: int) -> int:
    return max(1, until - int(now))
