"""The task queries: collaborators, and one user's task lists with their totals.

A user's list is the tasks they own plus those they collaborate on. The two sets are read
apart and merged, so that each stays on its index: owned tasks walk `ix_tasks_owner_due`
(workspace_id, owner_id, status, due_date, id) in due-date order, collaborations start from
`ix_task_users_user` (user_id, task_id). Each branch reads at most the rows up to the end
of the asked page, and the collaborator branch leaves out tasks the user owns, so that the
merge needs no de-duplication.

Totals are cached per process, keyed on the data versions of tasks and of the records they
hang on, custom modules' included (a record moved to the recycle bin takes its tasks out of
the lists), so a list of
100,000 tasks is counted once per change, not once per request. "Overdue" ends at the
current instant: its total is the cached count up to a recent boundary plus a live count of
the few tasks due since.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from opensales.db import Conn, Row
from opensales.kit import modules
from opensales.kit.engagement import RECORD_TARGETS
from opensales.kit.options import in_clause

TABLE = "tasks"
OPEN, DONE = 0, 1
# The data versions a task list depends on (and those of the custom modules' tables).
VERSIONED = (TABLE, *RECORD_TARGETS)
# (entity type, version) of each, by entity type: a cache key.
Version = tuple[tuple[str, int], ...]
# Overdue totals: what fell due longer ago than this is counted into the cached part.
SETTLE_AFTER = timedelta(minutes=5)
_CACHE_SIZE = 10_000
# Collaborations named by id in the list queries (beyond: joined from task_users).
SHARED_IDS = 500


@dataclass(frozen=True, slots=True)
class Selection:
    """One user's tasks of one status, due in [due_from, due_before) when bounded."""

    workspace_id: int
    user_id: int
    status: int
    due_from: datetime | None = None
    due_before: datetime | None = None
    # Completed lists read most recently completed first; the others by due date.
    by_completion: bool = False
    # The tasks the user collaborates on (most users: none, and that branch is skipped), or
    # None for more than SHARED_IDS of them, read with a join instead.
    shared: tuple[int, ...] | None = None


def _range(s: Selection) -> tuple[str, dict[str, Any]]:
    sql = ""
    params: dict[str, Any] = {"ws": s.workspace_id, "me": s.user_id, "status": s.status}
    if s.due_from is not None:
        sql += " AND t.due_date >= :due_from"
        params["due_from"] = s.due_from
    if s.due_before is not None:
        sql += " AND t.due_date < :due_before"
        params["due_before"] = s.due_before
    return sql, params


def _where(s: Selection) -> tuple[str, dict[str, Any]]:
    due, params = _range(s)
    return "t.workspace_id = :ws AND t.status = :status AND t.target_deleted = false" + due, params


_OWNED = "FROM tasks t WHERE t.owner_id = :me AND {where}"
_NOT_MINE = "(t.owner_id IS NULL OR t.owner_id <> :me)"
_SHARED = (
    "FROM task_users tu JOIN tasks t ON t.id = tu.task_id WHERE tu.user_id = :me "
    f"AND {_NOT_MINE} AND {{where}}"
)


def _shared(s: Selection, where: str, params: dict[str, Any]) -> str | None:
    """The FROM clause of the collaborations branch; None when there are none. Naming the
    tasks by id keeps PostgreSQL's generic plans on the primary key."""
    if s.shared is None:
        return _SHARED.format(where=where)
    if not s.shared:
        return None
    clause, ids = in_clause("shared", s.shared)
    params.update(ids)
    return f"FROM tasks t WHERE t.id IN {clause} AND {_NOT_MINE} AND {where}"


def _order(s: Selection, alias: str = "") -> str:
    p = f"{alias}." if alias else ""
    if s.by_completion:  # every completed task has its date: no NULLs to place
        return f"{p}completed_date DESC, {p}id DESC"
    return f"{p}due_date, {p}id"


async def page(conn: Conn, s: Selection, limit: int, offset: int) -> list[Row]:
    """One page of the user's tasks, in list order."""
    where, params = _where(s)
    inner = _order(s, "t")
    params.update({"limit": limit, "offset": offset})
    shared = _shared(s, where, params)
    if shared is None:
        owned = _OWNED.format(where=where)
        sql = f"SELECT t.* {owned} ORDER BY {inner} LIMIT :limit OFFSET :offset"
        return await conn.fetch_all(sql, params)
    branches = [
        f"SELECT * FROM (SELECT t.* {source} ORDER BY {inner} LIMIT :reach) AS {name}"
        for name, source in (("owned", _OWNED.format(where=where)), ("shared", shared))
    ]
    sql = f"{branches[0]} UNION ALL {branches[1]} ORDER BY {_order(s)} LIMIT :limit OFFSET :offset"
    params["reach"] = offset + limit
    return await conn.fetch_all(sql, params)


def _binned(due: str, module_tables: Sequence[str], params: dict[str, Any]) -> str:
    """The sum of the owned tasks on records in the recycle bin, per record table."""
    mine = f"+t.owner_id = :me AND +t.workspace_id = :ws AND +t.status = :status{due}"
    # Unary plus keeps SQLite from walking the owner index here: the deleted records lead.
    counts = [
        f"(SELECT count(*) FROM tasks t WHERE t.target_table = '{table}' AND t.target_id IN "
        f"(SELECT r.id FROM {table} r WHERE r.workspace_id = :ws AND r.is_deleted = true) "
        f"AND {mine})"
        for table in RECORD_TARGETS
    ]
    if module_tables:
        # Modules' tasks are few: read from the target index, the bin known by their flag.
        clause, names = in_clause("module", module_tables)
        params.update(names)
        counts.append(
            f"(SELECT count(*) FROM tasks t WHERE t.target_table IN {clause} "
            f"AND t.target_deleted = true AND {mine})"
        )
    return " + ".join(counts)


async def _count(conn: Conn, s: Selection, module_tables: Sequence[str]) -> int:
    """Owned tasks are counted on the index alone (every owned task, less those on records
    in the recycle bin, found from the bin); collaborations from their own index."""
    where, params = _where(s)
    due, _ = _range(s)
    owned = "t.owner_id = :me AND t.workspace_id = :ws AND t.status = :status" + due
    binned = _binned(due, module_tables, params)
    sql = f"SELECT (SELECT count(*) FROM tasks t WHERE {owned}) - ({binned})"
    shared = _shared(s, where, params)
    if shared is not None:
        sql += f" + (SELECT count(*) {shared})"
    return int(await conn.fetch_val(sql, params) or 0)


class _LRU(OrderedDict[Any, int]):
    def fresh(self, key: Any) -> int | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: int) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > _CACHE_SIZE:
            self.popitem(last=False)


_totals = _LRU()
# Overdue: (boundary, count of the tasks due before it), per selection and data version.
_settled: OrderedDict[Any, tuple[datetime, int]] = OrderedDict()
_shared_ids: OrderedDict[Any, tuple[int, ...] | None] = OrderedDict()


async def data_version(conn: Conn, workspace_id: int) -> Version:
    """The versions of tasks, of the record tables and of the workspace's module tables."""
    clause, params = in_clause("v", VERSIONED)
    rows = await conn.fetch_all(
        "SELECT entity_type, version FROM data_versions WHERE workspace_id = :ws "
        f"AND (entity_type IN {clause} OR entity_type LIKE :modules) ORDER BY entity_type",
        {"ws": workspace_id, "modules": modules.table_of(workspace_id, "cm%"), **params},
    )
    return tuple((r["entity_type"], int(r["version"])) for r in rows)


def _module_tables(version: Version) -> list[str]:
    return [name for name, _ in version if modules.is_module_table(name)]


async def collaborations(
    conn: Conn, workspace_id: int, user_id: int, version: Any
) -> tuple[int, ...] | None:
    """The tasks the user collaborates on, or None for more than SHARED_IDS (cached per
    data version)."""
    key = (conn.url, workspace_id, user_id, version)
    if key in _shared_ids:
        _shared_ids.move_to_end(key)
        return _shared_ids[key]
    rows = await conn.fetch_all(
        "SELECT task_id FROM task_users WHERE user_id = :me ORDER BY task_id LIMIT :cap",
        {"me": user_id, "cap": SHARED_IDS + 1},
    )
    found = tuple(r["task_id"] for r in rows) if len(rows) <= SHARED_IDS else None
    _shared_ids[key] = found
    if len(_shared_ids) > _CACHE_SIZE:
        _shared_ids.popitem(last=False)
    return found


async def _cached_count(conn: Conn, s: Selection, version: Version) -> int:
    key = (conn.url, s, version)
    found = _totals.fresh(key)
    if found is None:
        found = await _count(conn, s, _module_tables(version))
        _totals.put(key, found)
    return found


async def _count_until(conn: Conn, s: Selection, version: Version, now: datetime) -> int:
    """Tasks due before `now`: the count up to a settled boundary is cached and moved
    forward with small counts of what fell due since; only the rest is counted live."""
    key = (conn.url, replace(s, due_before=None), version)
    tables = _module_tables(version)
    settled = _settled.get(key)
    if settled is None:
        boundary, count = now, await _count(conn, replace(s, due_before=now), tables)
    else:
        boundary, count = settled
        if now - boundary > SETTLE_AFTER:
            step = now - SETTLE_AFTER / 2
            count += await _count(conn, replace(s, due_from=boundary, due_before=step), tables)
            boundary = step
    _settled[key] = (boundary, count)
    _settled.move_to_end(key)
    if len(_settled) > _CACHE_SIZE:
        _settled.popitem(last=False)
    if now <= boundary:
        return count
    return count + await _count(conn, replace(s, due_from=boundary, due_before=now), tables)


async def total(conn: Conn, s: Selection, version: Version, *, until_now: bool) -> int:
    """How many tasks the selection holds. `until_now`: `due_before` is the current instant
    (overdue), which moves with every request."""
    if until_now and s.due_before is not None and s.due_from is None:
        return await _count_until(conn, s, version, s.due_before)
    return await _cached_count(conn, s, version)


async def collaborators(conn: Conn, task_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each task's collaborators (user ids, ascending)."""
    found: dict[int, list[int]] = {i: [] for i in task_ids}
    if not task_ids:
        return found
    clause, params = in_clause("t", task_ids)
    rows = await conn.fetch_all(
        f"SELECT task_id, user_id FROM task_users WHERE task_id IN {clause} "
        "ORDER BY task_id, user_id",
        params,
    )
    for row in rows:
        found[row["task_id"]].append(row["user_id"])
    return found
