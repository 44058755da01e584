"""Background jobs: a row in `jobs`, claimed by a worker and run one item at a time.

A job is a list of items (JSON values) and a job type that knows how to apply one item.
Each item is applied in its own transaction, together with the job's progress (`next_item`,
`succeeded`, `failed`, `failures`), so a job interrupted by a crash resumes at the first
item not applied and never applies one twice; an item that fails is rolled back and
reported, and the job goes on. `GET /api/job_statuses/{id}` renders `status()`.

Adding a job type and queueing work, from a resource:

    from opensales.kit import jobs

    async def move_contact(conn: Conn, who: Principal, item: jobs.Item) -> None:
        ...  # apply item.value (item.params holds the job's parameters);
        # raise an OpenSalesError to fail this item alone, with its message

    jobs.register(jobs.JobType("MOVE_LIST_CONTACTS", move_contact,
                               describe=lambda value: {"id": value}))

    async with db.transaction() as tx:          # in the request's transaction
        job_id = await jobs.enqueue(tx, who, "MOVE_LIST_CONTACTS", contact_ids,
                                    entity_type="contacts", params={"list_id": 7})
    jobs.wake(db)                               # after the commit: run it now

`enqueue` refuses (429) a job when `limit` jobs of that type are already in progress in the
workspace (10 by default, Freshsales' bulk-upsert rule; pass `limit=None` for none). Item
handlers run as the user who queued the job, with their role's scope.

Workers (`Worker`) run in the server process by default (app.py) and as `opensales worker`.
A worker claims one job at a time: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so any
number may run; on SQLite writes are serialized anyway. A claim is a lease, renewed by
every item: a job whose worker has not advanced it for `lease_seconds` is taken over. Every
item transaction first re-checks the claim and the item's position on the locked job row,
so a worker that lost its claim stops before applying anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from opensales.db import Conn, Database, Row
from opensales.errors import NotFoundError, OpenSalesError, RateLimitedError
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.fields import json_value
from opensales.kit.principal import Principal

logger = logging.getLogger("opensales.jobs")

IN_PROGRESS = "IN_PROGRESS"
SUCCESS = "SUCCESS"
FAILED = "FAILED"
# Freshsales: at most 10 bulk-upsert jobs in progress per account.
MAX_IN_PROGRESS = 10
UNEXPECTED = "Unexpected error while applying this item"


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a job, as its handler sees it."""

    job_id: int
    entity_type: str | None
    params: dict[str, Any]
    index: int
    value: Any


def _no_description(value: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class JobType:
    """`name` is stored as the job's type and shown as `job_type_name`; `apply` applies one
    item; `describe` names an item in the failure report (`{"emails": "a@b.c"}`)."""

    name: str
    apply: Callable[[Conn, Principal, Item], Awaitable[None]]
    describe: Callable[[Any], dict[str, Any]] = field(default=_no_description)


_types: dict[str, JobType] = {}


def register(job_type: JobType) -> JobType:
    _types[job_type.name] = job_type
    return job_type


# --- queueing -----------------------------------------------------------------------------


async def _lock_workspace_queue(conn: Conn, workspace_id: int) -> None:
    """Serialize enqueues per workspace on PostgreSQL, so that the in-progress limit holds
    under concurrent requests (SQLite's writes are serialized already)."""
    if conn.dialect == "postgresql":
        await conn.execute(
            "SELECT pg_advisory_xact_lock(:ns, :ws)", {"ns": 0x4A4F42, "ws": workspace_id}
        )


async def enqueue(
    conn: Conn,
    who: Principal,
    job_type: str,
    items: Sequence[Any],
    *,
    entity_type: str | None = None,
    params: dict[str, Any] | None = None,
    limit: int | None = MAX_IN_PROGRESS,
) -> int:
    """Store a job in the caller's transaction and answer its id; call `wake(db)` once the
    transaction has committed. 429 when `limit` jobs of this type are in progress."""
    if job_type not in _types:
        raise RuntimeError(f"unknown job type {job_type!r}: register() it first")
    if limit is not None:
        await _lock_workspace_queue(conn, who.workspace_id)
        running = await conn.fetch_val(
            "SELECT count(*) FROM jobs WHERE workspace_id = :ws AND status = :status "
            "AND job_type = :type",
            {"ws": who.workspace_id, "status": IN_PROGRESS, "type": job_type},
        )
        if running >= limit:
            raise RateLimitedError(
                f"Too many jobs in progress: at most {limit} {job_type} jobs may run at once "
                "in an account; try again when one has finished"
            )
    now = utcnow()
    job_id: int = await conn.fetch_val(
        "INSERT INTO jobs (workspace_id, user_id, job_type, entity_type, status, payload, "
        "total_items, next_item, succeeded, failed, failures, created_at, status_updated_at) "
        "VALUES (:ws, :user, :type, :entity, :status, :payload, :total, 0, 0, 0, :failures, "
        ":now, :now) RETURNING id",
        {
            "ws": who.workspace_id,
            "user": who.user_id,
            "type": job_type,
            "entity": entity_type,
            "status": IN_PROGRESS if items else SUCCESS,
            "payload": {"items": list(items), "params": params or {}},
            "total": len(items),
            "failures": {},
            "now": now,
        },
    )
    return job_id


# --- reporting ----------------------------------------------------------------------------


async def status(conn: Conn, who: Principal, job_id: int | None) -> dict[str, Any]:
    """The job as `GET /api/job_statuses/{id}` shows it. Admins see every job of their
    workspace, other users the jobs they queued."""
    row = None
    if job_id is not None:
        mine = "" if who.is_admin else " AND user_id = :user"
        row = await conn.fetch_one(
            "SELECT job_type, status, total_items, next_item, succeeded, failed, failures, "
            f"created_at, status_updated_at FROM jobs WHERE id = :id AND workspace_id = :ws{mine}",
            {"id": job_id, "ws": who.workspace_id, "user": who.user_id},
        )
    if row is None:
        raise NotFoundError("Job not found")
    return render(row)


def render(row: Row) -> dict[str, Any]:
    total = row["total_items"]
    done = row["status"] != IN_PROGRESS or total == 0
    failures = json_value(row["failures"])
    return {
        "status": row["status"],
        "job_type_name": row["job_type"],
        "created_at": format_timestamp(row["created_at"]),
        "status_updated_at": format_timestamp(row["status_updated_at"]),
        "progress": 100 if done else row["next_item"] * 100 // total,
        "data": {
            "record_status": {"succeeded": row["succeeded"], "failed": row["failed"]},
            "detailed_failure_report": [failures[k] for k in sorted(failures, key=int)],
        },
    }


# --- running ------------------------------------------------------------------------------

_local: dict[int, Worker] = {}


def wake(db: Database) -> None:
    """Start this process's worker on `db` now, if it has one (others poll)."""
    worker = _local.get(id(db))
    if worker is not None:
        worker.wake()


def _transient(exc: BaseException) -> bool:
    """The database was busy or went away: retry the item later, do not fail it."""
    if isinstance(exc, sqlite3.OperationalError | OSError | ConnectionError):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.DeadlockDetectedError
        | asyncpg.SerializationError,
    )


async def _principal(conn: Conn, job: Row) -> Principal | None:
    row = await conn.fetch_one(
        f"SELECT {Principal.COLUMNS} FROM users WHERE id = :id AND workspace_id = :ws",
        {"id": job["user_id"], "ws": job["workspace_id"]},
    )
    if row is None:
        return None
    return Principal.of_user(row)


_CLAIMABLE = (
    "FROM jobs WHERE status = 'IN_PROGRESS' "
    "AND (claimed_by IS NULL OR claimed_by = :me OR claimed_at < :stale)"
)


class Worker:
    """Claims jobs and runs them, until `stop()`; `run(until_idle=True)` returns once no
    job is waiting."""

    def __init__(
        self,
        db: Database,
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        name: str | None = None,
    ) -> None:
        self.db = db
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.name = name or f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.items_applied = 0
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="opensales-job-worker")
        return self._task

    async def stop(self, timeout: float = 5.0) -> None:
        """Finish the item in hand, give the job back and return (cancel after `timeout`)."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=timeout)
            if not done:
                self._task.cancel()
                await asyncio.wait({self._task})
            self._task = None

    def wake(self) -> None:
        if self._event is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    async def run(self, *, until_idle: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        _local[id(self.db)] = self
        try:
            while not self._stopping:
                self._event.clear()
                try:
                    job = await self.claim()
                    if job is not None:
                        await self.work(job)
                        continue
                    if until_idle:
                        return
                except Exception:
                    logger.exception("job worker %s: will retry", self.name)
                await self._pause()
        finally:
            if _local.get(id(self.db)) is self:
                del _local[id(self.db)]
            await self._release()

    async def _pause(self) -> None:
        assert self._event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), self.poll_seconds)

    async def _release(self) -> None:
        """Give back a job stopped between items, for another worker to take at once."""
        try:
            async with self.db.transaction() as tx:
                await tx.execute(
                    "UPDATE jobs SET claimed_by = NULL, claimed_at = NULL "
                    "WHERE claimed_by = :me AND status = 'IN_PROGRESS'",
                    {"me": self.name},
                )
        except Exception:  # the lease lets another worker take it over anyway
            logger.warning("job worker %s: could not release its job", self.name)

    # --- claiming ---------------------------------------------------------------------------

    async def claim(self) -> Row | None:
        """The oldest job nobody holds (or whose holder went quiet), now ours."""
        now = utcnow()
        params = {"me": self.name, "stale": now - self.lease}
        # A cheap look first: an idle worker must not take SQLite's write lock every poll.
        if await self.db.fetch_val(f"SELECT id {_CLAIMABLE} ORDER BY id LIMIT 1", params) is None:
            return None
        async with self.db.transaction() as tx:
            lock = " FOR UPDATE SKIP LOCKED" if tx.dialect == "postgresql" else ""
            job_id = await tx.fetch_val(f"SELECT id {_CLAIMABLE} ORDER BY id LIMIT 1{lock}", params)
            if job_id is None:
                return None
            await tx.execute(
                "UPDATE jobs SET claimed_by = :me, claimed_at = :now WHERE id = :id",
                {"me": self.name, "now": now, "id": job_id},
            )
            job: Row | None = await tx.fetch_one(
                "SELECT * FROM jobs WHERE id = :id", {"id": job_id}
            )
            return job

    async def _hold(self, tx: Conn, job_id: int, index: int) -> Row | None:
        """Lock the job row and renew the lease, if it is still ours and at `index`."""
        return await tx.fetch_one(
            "UPDATE jobs SET claimed_at = :now WHERE id = :id AND claimed_by = :me "
            "AND next_item = :index AND status = 'IN_PROGRESS' RETURNING succeeded, failures",
            {"now": utcnow(), "id": job_id, "me": self.name, "index": index},
        )

    # --- running ----------------------------------------------------------------------------

    async def work(self, job: Row) -> None:
        job_type = _types.get(job["job_type"])
        who = await _principal(self.db, job)
        if job_type is None or who is None:
            logger.error("job %s: no job type %r or no user; failed", job["id"], job["job_type"])
            await self._give_up(job)
            return
        payload = json_value(job["payload"])
        items, params = payload.get("items", []), payload.get("params", {})
        for index in range(job["next_item"], len(items)):
            if self._stopping:
                return
            item = Item(job["id"], job["entity_type"], params, index, items[index])
            if not await self._step(job_type, who, item, last=index + 1 == len(items)):
                return  # another worker holds the job now

    async def _step(self, job_type: JobType, who: Principal, item: Item, *, last: bool) -> bool:
        """Apply one item with the job's progress, in one transaction; False when the job is
        no longer ours at this item."""
        async with self.db.transaction() as tx:
            held = await self._hold(tx, item.job_id, item.index)
            if held is None:
                return False
            failure = await self._apply(tx, job_type, who, item)
            await self._advance(tx, item, held, last=last, failure=failure)
        self.items_applied += 1
        return True

    async def _apply(
        self, tx: Conn, job_type: JobType, who: Principal, item: Item
    ) -> dict[str, Any] | None:
        """None when the item applied, else its failure report entry (its writes undone)."""
        try:
            async with _savepoint(tx):
                await job_type.apply(tx, who, item)
        except OpenSalesError as exc:
            message = exc.message
        except Exception as exc:
            if _transient(exc):
                raise
            logger.exception("job %s: item %s failed", item.job_id, item.index)
            message = UNEXPECTED
        else:
            return None
        return {**job_type.describe(item.value), "error_message": [message]}

    async def _advance(
        self, tx: Conn, item: Item, held: Row, *, last: bool, failure: dict[str, Any] | None
    ) -> None:
        sets = "next_item = :next, claimed_at = :now"
        params: dict[str, Any] = {"id": item.job_id, "next": item.index + 1, "now": utcnow()}
        if failure is None:
            sets += ", succeeded = succeeded + 1"
        else:
            failures = dict(json_value(held["failures"]))
            failures[str(item.index)] = failure
            sets += ", failed = failed + 1, failures = :failures"
            params["failures"] = failures
        if last:
            # SUCCESS once every item was tried (some may have failed, as Freshsales reports
            # them); FAILED when not one item could be applied.
            succeeded = held["succeeded"] + (failure is None)
            sets += ", status = :status, status_updated_at = :now, claimed_by = NULL"
            params["status"] = SUCCESS if succeeded else FAILED
        await tx.execute(f"UPDATE jobs SET {sets} WHERE id = :id", params)

    async def _give_up(self, job: Row) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE jobs SET status = :status, status_updated_at = :now, claimed_by = NULL "
                "WHERE id = :id AND claimed_by = :me",
                {"status": FAILED, "now": utcnow(), "id": job["id"], "me": self.name},
            )


class _savepoint:
    """Undo a failed item's writes and keep the transaction, to record the failure in it."""

    def __init__(self, tx: Conn) -> None:
        self.tx = tx

    async def __aenter__(self) -> None:
        await self.tx.execute("SAVEPOINT job_item")

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            await self.tx.execute("RELEASE SAVEPOINT job_item")
        elif not issubclass(exc_type, asyncio.CancelledError) and not _transient(exc):
            await self.tx.execute("ROLLBACK TO SAVEPOINT job_item")
