"""The controls, written once: the HTTP routes (api.py) and the pytest plugin
(opensales.testing) both call this service on the server's event loop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Database, PostgresDatabase, SqliteDatabase
from opensales.errors import AuthenticationError, NotFoundError, ValidationError
from opensales.kit.principal import Principal
from opensales.kit.ratelimit import RateLimiter
from opensales.test_control import fixtures
from opensales.test_control.clock import Clock
from opensales.test_control.faults import Fault, Faults
from opensales.test_control.pg_state import PostgresStore
from opensales.test_control.state import SqliteStore, Store
from opensales.user.service import authenticate
from opensales.workspace import service as workspaces

# Freshsales' plans: requests per hour per account, and at most 400 in any minute.
PLANS: dict[str, tuple[int, int | None]] = {
    "growth": (1000, 400),
    "pro": (2000, 400),
    "enterprise": (5000, 400),
    "unlimited": (10**9, None),
}


def _store_for(db: Database) -> Store:
    if isinstance(db, SqliteDatabase):
        return SqliteStore(db)
    assert isinstance(db, PostgresDatabase)
    return PostgresStore(db)


class TestControl:
    __test__ = False  # not a test class, whatever pytest makes of the name

    def __init__(self, db: Database, limiter: RateLimiter) -> None:
        self.db = db
        self.limiter = limiter
        self.clock = Clock()
        self.faults = Faults()
        self.store = _store_for(db)
        self.default_limits = (limiter.limit, limiter.per_minute)
        self._baseline: Any = None
        self._snapshots: dict[str, Any] = {}

    async def mark_baseline(self) -> None:
        """What `reset` goes back to: the state now (the server's state at startup unless
        marked again, as the pytest plugin does once it has made its workspace)."""
        old, self._baseline = self._baseline, await self.store.capture()
        if old is not None:
            await self.store.discard(old)

    async def close(self) -> None:
        """Let go of every saved state (on PostgreSQL, their schemas), at shutdown."""
        for saved in [self._baseline, *self._snapshots.values()]:
            if saved is not None:
                await self.store.discard(saved)
        self._baseline, self._snapshots = None, {}
        self.clock.release()

    async def reset(self) -> None:
        """The baseline's data, the system clock, the configured rate limit, no faults."""
        await self.store.restore(self._baseline)
        self.release()

    def release(self) -> None:
        """Every control back to its default; the data stays as it is."""
        self.clock.release()
        self.faults.clear()
        self.limiter.configure(*self.default_limits)

    async def snapshot(self, name: str) -> None:
        """Save the data under `name` (replacing a snapshot of that name)."""
        old = self._snapshots.pop(name, None)
        self._snapshots[name] = await self.store.capture()
        if old is not None:
            await self.store.discard(old)

    async def restore(self, name: str) -> None:
        found = self._snapshots.get(name)
        if found is None:
            raise NotFoundError(f"No snapshot named {name!r}")
        await self.store.restore(found)

    def snapshot_names(self) -> list[str]:
        return sorted(self._snapshots)

    async def load(self, fixture: dict[str, Any], api_key: str | None = None) -> dict[str, Any]:
        """Write a fixture's records (see fixtures.py) in one transaction, as the user of
        `api_key`, or else as the first admin of the first workspace."""
        who = await self._writer(api_key)
        async with self.db.transaction() as tx:
            return await fixtures.load(tx, who, fixture)

    async def _writer(self, api_key: str | None) -> Principal:
        if api_key:
            found = await authenticate(self.db, api_key, 0)
            if found is None:
                raise AuthenticationError("Authentication failed: missing or invalid API key")
            return found
        row = await self.db.fetch_one(
            "SELECT api_key_hash, id, workspace_id, time_zone, display_name, email FROM users "
            "WHERE role = 'admin' AND is_active = true ORDER BY workspace_id, id LIMIT 1"
        )
        if row is None:
            raise NotFoundError("No admin user to write the fixture as: make one first")
        return Principal(
            row["id"],
            row["workspace_id"],
            "admin",
            None,
            row["time_zone"],
            row["display_name"],
            row["email"],
        )

    def freeze_clock(self, at: datetime | None = None) -> datetime:
        self.clock.freeze(at)
        return self.clock.now()

    def advance_clock(self, seconds: float) -> datetime:
        self.clock.advance(seconds)
        return self.clock.now()

    def describe_clock(self) -> dict[str, Any]:
        return {"now": self.clock.now().isoformat(), "frozen": self.clock.frozen}

    async def start_ids(self, start: int) -> None:
        if start < 1:
            raise ValidationError("Invalid value for start: must be 1 or more")
        await self.store.start_ids(start)

    def rate_limit(
        self,
        profile: str | None = None,
        *,
        per_hour: int | None = None,
        per_minute: int | None = None,
    ) -> dict[str, Any]:
        """A plan's limits by name, or limits of one's own."""
        if profile is not None:
            if profile not in PLANS:
                raise ValidationError(f"Invalid value for profile: one of {', '.join(PLANS)}")
            per_hour, per_minute = PLANS[profile]
        if per_hour is None or per_hour < 1 or (per_minute is not None and per_minute < 1):
            raise ValidationError("Invalid value for per_hour: a profile or limits of 1 or more")
        self.limiter.configure(per_hour, per_minute)
        return {"profile": profile, "per_hour": per_hour, "per_minute": per_minute}

    def add_fault(self, fault: Fault) -> None:
        self.faults.add(fault)

    async def provision(self, workspace: str, email: str, api_key: str) -> tuple[int, int]:
        """A workspace and its admin with `api_key`, for a test session (made, or taken as
        a database used before left them); answers their ids."""
        async with self.db.transaction() as tx:
            workspace_id = await workspaces.find(tx, workspace) or await workspaces.create(
                tx, workspace
            )
            user_id, _ = await workspaces.ensure_admin(
                tx, workspace_id, email=email, password="", api_key=api_key
            )
        return workspace_id, user_id
