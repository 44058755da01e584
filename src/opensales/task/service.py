"""Tasks: things to do about a contact, account, deal or custom module's record, by a due
date, for an owner and their collaborators.

Whoever may see a task (kit/engagement.py: its owner, creator and collaborators, and anyone
who may see its record) may change, complete, reopen and delete it. A task on a record in
the recycle bin answers 404 and leaves the lists until the record is restored. Each change
is an entry on the record's timeline: TASK_CREATED, _UPDATED, _COMPLETED, _REOPENED and
_DELETED.

The lists (`GET /api/tasks?filter=`) hold the requesting user's own tasks: those they own
or collaborate on; "today" and "tomorrow" are days in that user's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from opensales.db import Conn, Row
from opensales.kit import engagement, timezones, versions
from opensales.kit.dates import utcnow
from opensales.kit.http import include_handles, page_params, unwrap
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import insert_sql
from opensales.kit.sideload import load_users
from opensales.task import inputs, repository
from opensales.task.repository import DONE, OPEN, TABLE, Selection
from opensales.task.schemas import render, render_all

LABEL = "Task"
FILTERS = ("open", "due_today", "due_tomorrow", "overdue", "completed")
# Fields whose changes an update's timeline entry lists (status has entries of its own).
_TRACKED = (
    "title",
    "description",
    "due_date",
    "owner_id",
    "task_type_id",
    "outcome_id",
    "user_ids",
    "targetable",
)


# --- reading a task -----------------------------------------------------------------------


async def _people(conn: Conn, row: Row) -> list[int]:
    return (await repository.collaborators(conn, [row["id"]]))[row["id"]]


async def find(conn: Conn, who: Principal, task_id: int | None) -> Row:
    """The task with this id that the user may see, on a live record; else 404."""
    return await engagement.find(conn, who, TABLE, LABEL, task_id, _people)


async def sideloads(
    conn: Conn, who: Principal, rows: Sequence[Row], handles: Sequence[str], people: list[int]
) -> dict[str, list[dict[str, Any]]]:
    """`users` (owners and collaborators; `owner`, `creater`, `updater` add theirs) and
    `targetable` (the records, as `contacts` / `sales_accounts` / `deals`)."""
    out: dict[str, list[dict[str, Any]]] = {}
    user_ids: set[int] = set()
    if "users" in handles:
        user_ids.update(people)
    for handle, column in (
        ("users", "owner_id"),
        ("owner", "owner_id"),
        ("creater", "creater_id"),
        ("updater", "updater_id"),
    ):
        if handle in handles:
            user_ids.update(r[column] for r in rows if r[column] is not None)
    if any(h in handles for h in ("users", "owner", "creater", "updater")):
        out["users"] = await load_users(conn, who.workspace_id, user_ids)
    if "targetable" in handles:
        refs = [(r["target_table"], r["target_id"]) for r in rows]
        out.update(await engagement.load_targets(conn, who, refs))
    return out


async def envelope(
    conn: Conn, who: Principal, row: Row, handles: Sequence[str] = ()
) -> dict[str, Any]:
    """`{"users": [...], "contacts": [...], "task": {...}}`, sideloading what is asked."""
    people = await _people(conn, row)
    out: dict[str, Any] = await sideloads(conn, who, [row], handles, people)
    out["task"] = render(row, people)
    return out


async def get(conn: Conn, who: Principal, task_id: int | None, query: Any) -> dict[str, Any]:
    row = await find(conn, who, task_id)
    return await envelope(conn, who, row, include_handles(query))


async def open_on_record(
    conn: Conn, who: Principal, target: engagement.Ref, limit: int
) -> list[Row]:
    """The first `limit` open tasks on a record (which the caller has checked the user may
    see, and with it its tasks), soonest due first."""
    return await conn.fetch_all(
        f"SELECT * FROM {TABLE} WHERE target_table = :tt AND target_id = :tid "
        "AND workspace_id = :ws AND status = :open ORDER BY due_date, id LIMIT :limit",
        {"tt": target[0], "tid": target[1], "ws": who.workspace_id, "open": OPEN, "limit": limit},
    )


# --- writing ------------------------------------------------------------------------------


async def _save_collaborators(
    conn: Conn, who: Principal, task_id: int, before: Sequence[int], after: Sequence[int]
) -> None:
    gone = [u for u in before if u not in after]
    if gone:
        clause, params = in_clause("u", gone)
        await conn.execute(
            f"DELETE FROM task_users WHERE task_id = :task AND user_id IN {clause}",
            {"task": task_id, **params},
        )
    added = [u for u in after if u not in before]
    if added:
        await conn.execute_many(
            "INSERT INTO task_users (workspace_id, task_id, user_id) VALUES (:ws, :task, :user)",
            [{"ws": who.workspace_id, "task": task_id, "user": u} for u in added],
        )


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> Row:
    body = unwrap(data, "task")
    title = inputs.title(body.get("title"))
    due = inputs.due_date(body.get("due_date"), who)
    owner = await inputs.user(conn, who, "owner_id", body.get("owner_id")) or who.user_id
    status = inputs.status(body["status"]) if body.get("status") is not None else OPEN
    type_id, outcome_id = await inputs.activity_type(conn, who, body, None)
    people: list[int] = []
    if body.get("task_users_attributes") is not None:
        people = await inputs.collaborators(conn, who, body["task_users_attributes"], [])
    target = await inputs.target(conn, who, body, None)
    now = utcnow()
    values = {
        "workspace_id": who.workspace_id,
        "target_table": target[0],
        "target_id": target[1],
        "target_deleted": False,
        "title": title,
        "description": inputs.description(body.get("description")),
        "due_date": due,
        "status": status,
        "completed_date": now if status == DONE else None,
        "owner_id": owner,
        "task_type_id": type_id,
        "outcome_id": outcome_id,
        "creater_id": who.user_id,
        "updater_id": who.user_id,
        "created_at": now,
        "updated_at": now,
    }
    task_id = int(await conn.fetch_val(insert_sql(TABLE, list(values)), values))
    await _save_collaborators(conn, who, task_id, [], people)
    await versions.bump(conn, who.workspace_id, TABLE)
    row = await engagement.reload(conn, TABLE, task_id)
    entry = {"title": title, "due_date": render(row, people)["due_date"]}
    await engagement.log(conn, who, (TABLE, task_id), "CREATED", target, entry)
    if status == DONE:
        await engagement.log(conn, who, (TABLE, task_id), "COMPLETED", target, {"title": title})
    return row


async def _changes(conn: Conn, who: Principal, row: Row, body: Mapping[str, Any]) -> dict[str, Any]:
    """The columns an update sets (only those it names), checked."""
    values: dict[str, Any] = {}
    if "title" in body:
        values["title"] = inputs.title(body["title"])
    if "description" in body:
        values["description"] = inputs.description(body["description"])
    if "due_date" in body:
        values["due_date"] = inputs.due_date(body["due_date"], who)
    if body.get("owner_id") is not None:  # null keeps the owner: a task always has one
        values["owner_id"] = await inputs.user(conn, who, "owner_id", body["owner_id"])
    if "status" in body:
        values["status"] = inputs.status(body["status"])
    if "task_type_id" in body or "outcome_id" in body:
        values["task_type_id"], values["outcome_id"] = await inputs.activity_type(
            conn, who, body, row
        )
    values["target_table"], values["target_id"] = await inputs.target(conn, who, body, row)
    return values


async def update(conn: Conn, who: Principal, task_id: int | None, data: dict[str, Any]) -> Row:
    """Change a task: any of its fields, its collaborators (`task_users_attributes`), its
    record, and its status (1 completes it, 0 reopens it)."""
    row = await find(conn, who, task_id)
    body = unwrap(data, "task")
    before_people = await _people(conn, row)
    values = await _changes(conn, who, row, body)
    people = before_people
    if body.get("task_users_attributes") is not None:
        people = await inputs.collaborators(conn, who, body["task_users_attributes"], before_people)
    preview, before = render({**row, **values}, people), render(row, before_people)
    if all(preview[k] == before[k] for k in (*_TRACKED, "status")):
        return row  # an update that changes nothing writes nothing
    now = utcnow()
    status = values.get("status", row["status"])
    if status != row["status"]:
        values["completed_date"] = now if status == DONE else None
    values.update({"updater_id": who.user_id, "updated_at": now})
    sets = ", ".join(f"{column} = :{column}" for column in values)
    await conn.execute(f"UPDATE {TABLE} SET {sets} WHERE id = :id", {**values, "id": row["id"]})
    await _save_collaborators(conn, who, row["id"], before_people, people)
    await versions.bump(conn, who.workspace_id, TABLE)
    new = await engagement.reload(conn, TABLE, row["id"])
    await _log_update(conn, who, row, before_people, new, people)
    return new


async def _log_update(
    conn: Conn, who: Principal, old: Row, old_people: list[int], new: Row, new_people: list[int]
) -> None:
    before, after = render(old, old_people), render(new, new_people)
    changes = {k: {"old": before[k], "new": after[k]} for k in _TRACKED if before[k] != after[k]}
    item = (TABLE, new["id"])
    target = (new["target_table"], new["target_id"])
    if changes:
        entry = {"title": new["title"], "changes": changes}
        for timeline in dict.fromkeys((target, (old["target_table"], old["target_id"]))):
            await engagement.log(conn, who, item, "UPDATED", timeline, entry)
    if new["status"] != old["status"]:
        verb = "COMPLETED" if new["status"] == DONE else "REOPENED"
        await engagement.log(conn, who, item, verb, target, {"title": new["title"]})


async def delete(conn: Conn, who: Principal, task_id: int | None) -> dict[str, Any]:
    """Delete a task; answers it as it was (`{"task": {...}}`)."""
    row = await find(conn, who, task_id)
    out = render(row, await _people(conn, row))
    await conn.execute(f"DELETE FROM {TABLE} WHERE id = :id", {"id": row["id"]})
    await versions.bump(conn, who.workspace_id, TABLE)
    target = (row["target_table"], row["target_id"])
    await engagement.log(conn, who, (TABLE, row["id"]), "DELETED", target, {"title": row["title"]})
    return {"task": out}


# --- lists --------------------------------------------------------------------------------


def read_filter(raw: str | None) -> str:
    """`open` (also no filter), `due_today`, `due_tomorrow`, `overdue`, `completed`, in any
    case and with spaces or hyphens for the underscores ("due today"); else a 400."""
    if raw is None or not raw.strip():
        return "open"
    name = re.sub(r"[\s_-]+", "_", raw.strip().lower())
    if name not in FILTERS:
        allowed = ", ".join(FILTERS)
        raise inputs.bad("filter", f"'{raw}' is not one of {allowed}")
    return name


def selection(
    who: Principal, name: str, now: datetime, shared: tuple[int, ...] | None = None
) -> Selection:
    """The tasks a filter names for this user, at `now` (`shared`: the tasks they
    collaborate on, None for too many to name)."""
    ws, me = who.workspace_id, who.user_id
    if name == "completed":
        return Selection(ws, me, DONE, by_completion=True, shared=shared)
    if name == "overdue":
        return Selection(ws, me, OPEN, due_before=now, shared=shared)
    if name in ("due_today", "due_tomorrow"):
        tz = timezones.zone(who.time_zone)
        days = 0 if name == "due_today" else 1
        start = timezones.local_midnight(now, tz, days)
        end = timezones.local_midnight(now, tz, days + 1)
        return Selection(ws, me, OPEN, start, end, shared=shared)
    return Selection(ws, me, OPEN, shared=shared)


async def page(conn: Conn, who: Principal, query: Mapping[str, str]) -> dict[str, Any]:
    """`{"tasks": [...], "meta": {"total": N}}` (+ sideloads) for `GET /api/tasks`."""
    name = read_filter(query.get("filter"))
    number, per_page = page_params(query)
    now = utcnow()
    version = await repository.data_version(conn, who.workspace_id)
    shared = await repository.collaborations(conn, who.workspace_id, who.user_id, version)
    chosen = selection(who, name, now, shared)
    count = await repository.total(conn, chosen, version, until_now=name == "overdue")
    rows: list[Row] = []
    offset = (number - 1) * per_page
    if offset < count:
        rows = await repository.page(conn, chosen, per_page, offset)
    outs = await render_all(conn, rows)
    people = sorted({u for out in outs for u in out["user_ids"]})
    out: dict[str, Any] = await sideloads(conn, who, rows, include_handles(query), people)
    out.update({"tasks": outs, "meta": {"total": count}})
    return out
