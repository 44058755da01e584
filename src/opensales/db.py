"""The request path's database access: stdlib sqlite3 on the event loop, or asyncpg.

SQLAlchemy owns the schema and migrations; requests reach the database through this thin
layer instead (see docs/decisions/0001-data-access.md). SQL is written once with `:name`
parameters; the PostgreSQL backend rewrites them to `$n`. Every value is bound, never
formatted into the SQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import orjson

from opensales.errors import ValidationError

Row = dict[str, Any]
Params = Mapping[str, Any]


class Conn(Protocol):
    """What services use: a transaction, or the database itself for plain reads."""

    dialect: str
    # Which database this is: in-process caches key on it, since one process may serve
    # several databases (the test suite, the test double beside a user's own servers).
    url: str

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None: ...
    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]: ...
    async def fetch_val(self, sql: str, params: Params | None = None) -> Any: ...
    async def execute(self, sql: str, params: Params | None = None) -> int: ...
    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None: ...


class Database(Conn, Protocol):
    async def connect(self, *, serving: bool = False) -> None: ...
    async def close(self) -> None: ...
    def transaction(self) -> Any: ...


def sync_url(url: str) -> str:
    """The URL SQLAlchemy and Alembic use for the same database."""
    if url.startswith(("postgres://", "postgresql://", "postgresql+asyncpg://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres", "postgresql"))


def create_database(url: str) -> Database:
    if is_postgres(url):
        return PostgresDatabase(url)
    return SqliteDatabase(url)


def _rejected(exc: Exception) -> ValidationError:
    """A write the database refused (a unique index, a value out of range): the request's
    fault, reported as a 400 rather than a server error."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ValidationError(f"The record conflicts with existing data or is out of range: {detail}")


# --- SQLite -------------------------------------------------------------------------------


def sqlite_value(value: Any) -> Any:
    """A value as the SQLite layer stores it (timestamps as sortable naive UTC text)."""
    if isinstance(value, datetime):
        # Stored as naive UTC text that sorts correctly (SQLAlchemy's own format).
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


_PLAIN = frozenset({int, str, float, bool, bytes, type(None)})
# SQLite binds at most 32,766 values per statement; multi-row INSERTs stay well below.
_MAX_BOUND_VALUES = 30_000
_INSERT_CHUNK = 500


def _sqlite_params(params: Params | None) -> Params:
    if not params:
        return {}
    if all(type(v) in _PLAIN for v in params.values()):
        return params
    return {k: sqlite_value(v) for k, v in params.items()}


def _rows(cursor: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> list[Row]:
    if not rows:
        return []
    names = [col[0] for col in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in rows]


class SqliteDatabase:
    """One connection per process, used from the event loop.

    sqlite3 calls never yield to the loop, so a transaction runs start to finish without
    another request's statements in between; the lock only guards against a transaction
    that awaits something else while open.
    """

    dialect = "sqlite"
    CHECKPOINT_SECONDS = 0.1

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else ":memory:"
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._checkpoints: tuple[threading.Event, threading.Thread] | None = None

    async def connect(self, *, serving: bool = False) -> None:
        """`serving`: a server process, whose WAL checkpoints run in the background."""
        if self._conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=5000",
            "cache_size=-65536",
            "temp_store=MEMORY",
        ):
            conn.execute(f"PRAGMA {pragma}")
        if serving:
            # A commit that crosses the WAL threshold would checkpoint inline, stalling every
            # request for tens of milliseconds; a thread does it instead (see _checkpoint).
            conn.execute("PRAGMA wal_autocheckpoint=0")
            stop = threading.Event()
            thread = threading.Thread(
                target=self._checkpoint, args=(stop,), name="opensales-checkpoint", daemon=True
            )
            thread.start()
            self._checkpoints = (stop, thread)
        self._conn = conn

    def _checkpoint(self, stop: threading.Event) -> None:
        """Copy the WAL into the database now and then, on a thread and connection of its
        own (joined before the database closes: it must never outlive its connection)."""
        own = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not stop.wait(self.CHECKPOINT_SECONDS):
                with contextlib.suppress(sqlite3.Error):  # busy now: the next round does it
                    own.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            own.close()

    async def close(self) -> None:
        if self._checkpoints is not None:
            stop, thread = self._checkpoints
            stop.set()
            await asyncio.to_thread(thread.join)
            self._checkpoints = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    def _run(self, sql: str, params: Params | None) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, _sqlite_params(params))
        except sqlite3.IntegrityError as exc:
            raise _rejected(exc) from None

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        cursor = self._run(sql, params)
        row = cursor.fetchone()
        return None if row is None else _rows(cursor, [row])[0]

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        cursor = self._run(sql, params)
        return _rows(cursor, cursor.fetchall())

    async def fetch_val(self, sql: str, params: Params | None = None) -> Any:
        row = self._run(sql, params).fetchone()
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return self._run(sql, params).rowcount

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            self.conn.executemany(sql, [_sqlite_params(r) for r in rows])
        except sqlite3.IntegrityError as exc:
            raise _rejected(exc) from None

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Positional rows inserted by multi-row INSERTs, one statement per chunk: SQLite's
        FTS5 flushes its pending index at every statement, so a trigger that indexes each
        row costs about three times as much under `executemany`."""
        per_chunk = max(1, min(_INSERT_CHUNK, _MAX_BOUND_VALUES // len(columns)))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        mark = "(" + ", ".join("?" * len(columns)) + ")"
        chunk: list[Any] = []
        count = 0
        for row in rows:
            chunk.extend(v if type(v) in _PLAIN else sqlite_value(v) for v in row)
            count += 1
            if count == per_chunk:
                self._insert_chunk(head + ", ".join([mark] * count), chunk)
                chunk, count = [], 0
        if count:
            self._insert_chunk(head + ", ".join([mark] * count), chunk)

    def _insert_chunk(self, sql: str, values: list[Any]) -> None:
        try:
            self.conn.execute(sql, values)
        except sqlite3.IntegrityError as exc:
            raise _rejected(exc) from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteDatabase]:
        async with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")


# --- PostgreSQL ---------------------------------------------------------------------------

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class _Compiled:
    __slots__ = ("names", "sql")

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.sql = _PARAM.sub(number, sql)
        self.names = names

    def args(self, params: Params | None) -> list[Any]:
        if not self.names:
            return []
        assert params is not None
        return [_pg_value(params[n]) for n in self.names]


def _pg_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


_compiled: dict[str, _Compiled] = {}


def _compile(sql: str) -> _Compiled:
    found = _compiled.get(sql)
    if found is None:
        found = _compiled[sql] = _Compiled(sql)
    return found


def _refused() -> tuple[type[Exception], ...]:
    import asyncpg

    return (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError)


class _PgConn:
    dialect = "postgresql"

    def __init__(self, conn: Any, url: str) -> None:
        self._c = conn
        self.url = url

    async def _call(self, method: str, sql: str, args: list[Any]) -> Any:
        try:
            return await getattr(self._c, method)(sql, *args)
        except _refused() as exc:
            raise _rejected(exc) from None

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        c = _compile(sql)
        rec = await self._call("fetchrow", c.sql, c.args(params))
        return None if rec is None else dict(rec)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        c = _compile(sql)
        return [dict(r) for r in await self._call("fetch", c.sql, c.args(params))]

    async def fetch_val(self, sql: str, params: Params | None = None) -> Any:
        c = _compile(sql)
        return await self._call("fetchval", c.sql, c.args(params))

    async def execute(self, sql: str, params: Params | None = None) -> int:
        c = _compile(sql)
        status: str = await self._call("execute", c.sql, c.args(params))
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        c = _compile(sql)
        await self._call("executemany", c.sql, [[c.args(r) for r in rows]])


async def _init_pg_connection(conn: Any) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(
            typ,
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


class PostgresDatabase(_PgConn):
    def __init__(self, url: str) -> None:
        self._pool: Any = None
        super().__init__(None, url)

    async def connect(self, *, serving: bool = False) -> None:
        import asyncpg

        if self._pool is None:
            dsn = "postgresql://" + self.url.split("://", 1)[1]
            self._pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=10, init=_init_pg_connection
            )
            self._c = self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PgConn]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PgConn(conn, self.url)
