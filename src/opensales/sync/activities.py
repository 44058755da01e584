"""Tasks and appointments: listed through their filters (open and completed between them
cover every one), written after the records they hang on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from opensales.appointment import service as appointments
from opensales.client import NotFound
from opensales.db import Conn
from opensales.sync.configuration import ensure_sideloaded_users
from opensales.sync.context import SyncContext, create_or_update
from opensales.sync.records import TARGET_KINDS
from opensales.task import service as tasks

BATCH = 100
TASK_FILTERS = ("open", "completed")
APPOINTMENT_FILTERS = ("open", "complete")
TASK_KEYS = ("title", "description", "due_date", "status")
APPOINTMENT_KEYS = (
    "title",
    "description",
    "location",
    "from_date",
    "end_date",
    "time_zone",
    "is_allday",
    "latitude",
    "longitude",
)
# An attendee's type, as either shape of the API spells it -> (link kind, type to send).
ATTENDEE_TYPES = {
    "contact": ("contacts", "Contact"),
    "user": ("users", "FdMultitenant::User"),
    "fdmultitenant::user": ("users", "FdMultitenant::User"),
}
Create = Callable[[Conn, dict[str, Any]], Awaitable[int]]
Update = Callable[[Conn, int, dict[str, Any]], Awaitable[Any]]


async def copy_tasks(ctx: SyncContext) -> None:
    """The API user's tasks (the lists) and everyone's on the records copied this run."""
    ctx.progress.start("tasks", None)
    found = {i: {**item, "_sideloads": {}} for i, item in ctx.held.pop("tasks", {}).items()}
    for name in TASK_FILTERS:
        await _listed(ctx, "tasks", name, "users,owner,targetable", found)
    await _write_changed(ctx, "tasks", found, _task)


async def copy_appointments(ctx: SyncContext) -> None:
    """As tasks; an appointment seen only on a record is read whole, for its attendees."""
    ctx.progress.start("appointments", None)
    found: dict[Any, dict[str, Any]] = {}
    for name in APPOINTMENT_FILTERS:
        await _listed(ctx, "appointments", name, "appointment_attendees,creater,targetable", found)
    for source_id, item in ctx.held.pop("appointments", {}).items():
        if source_id not in found and not ctx.is_current("appointments", item):
            body = await _read_appointment(ctx, source_id)
            if body is not None:
                found[source_id] = {**body["appointment"], "_sideloads": body}
    await _write_changed(ctx, "appointments", found, _appointment)


async def _read_appointment(ctx: SyncContext, source_id: Any) -> dict[str, Any] | None:
    """The appointment with its attendees; None if deleted since its record was read."""
    try:
        body: dict[str, Any] = await ctx.source.get(f"appointments/{source_id}")
    except NotFound:
        return None
    return body


async def stamp_records(ctx: SyncContext) -> None:
    """Records whose tasks and appointments are all written: a rerun may now skip them."""
    for start in range(0, len(ctx.stamp_later), BATCH):
        async with ctx.links.batch(ctx.db) as tx:
            for kind, source_id, local, stamp in ctx.stamp_later[start : start + BATCH]:
                await ctx.links.save(tx, kind, source_id, local, stamp)
    ctx.stamp_later.clear()


async def _listed(
    ctx: SyncContext, kind: str, filter_name: str, includes: str, found: dict[Any, Any]
) -> None:
    """Every item of one filter, with its page's sideloads, into `found` by id."""
    pages = ctx.source.pages_with_bodies(kind, kind, filter=filter_name, include=includes)
    async for page, body in pages:
        found.update({item["id"]: {**item, "_sideloads": body} for item in page})


async def _write_changed(
    ctx: SyncContext, kind: str, found: dict[Any, dict[str, Any]], write: Any
) -> None:
    changed = [item for item in found.values() if not ctx.is_current(kind, item)]
    for _ in range(len(found) - len(changed)):
        ctx.tally(kind).add("unchanged")
    ctx.progress.advance(kind, len(found) - len(changed))
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        await ctx.write_batch(
            kind, batch, lambda tx, item: write(ctx, tx, item, item["_sideloads"])
        )


def _target(ctx: SyncContext, item: dict[str, Any]) -> dict[str, Any] | None:
    kind = TARGET_KINDS.get(str(item.get("targetable_type")))
    found = ctx.links.local(kind, item.get("targetable_id")) if kind else None
    if found is None:
        return None
    return {"targetable_type": item["targetable_type"], "targetable_id": found}


async def _task(
    ctx: SyncContext, conn: Conn, item: dict[str, Any], sideloads: dict[str, Any]
) -> str:
    await ensure_sideloaded_users(ctx, conn, sideloads)
    target = _target(ctx, item)
    if target is None:
        return "failed"
    body: dict[str, Any] = {k: item[k] for k in TASK_KEYS if k in item}
    body.update(target, owner_id=ctx.links.local("users", item.get("owner_id")))
    body["task_type_id"] = ctx.links.local("sales_activity_types", item.get("task_type_id"))
    body["outcome_id"] = ctx.links.local("sales_activity_outcomes", item.get("outcome_id"))
    people = [ctx.links.local("users", u) for u in item.get("user_ids") or []]
    body["task_users_attributes"] = [{"user_id": u} for u in people if u is not None]

    async def create(tx: Conn, data: dict[str, Any]) -> int:
        return int((await tasks.create(tx, ctx.who, {"task": data}))["id"])

    async def update(tx: Conn, local: int, data: dict[str, Any]) -> Any:
        return await tasks.update(tx, ctx.who, local, {"task": data})

    return await _upsert(ctx, conn, "tasks", item, body, create, update)


async def _appointment(
    ctx: SyncContext, conn: Conn, item: dict[str, Any], sideloads: dict[str, Any]
) -> str:
    await ensure_sideloaded_users(ctx, conn, sideloads)
    body: dict[str, Any] = {k: item[k] for k in APPOINTMENT_KEYS if k in item}
    body.update(_target(ctx, item) or {})
    body["outcome_id"] = ctx.links.local("sales_activity_outcomes", item.get("outcome_id"))

    async def create(tx: Conn, data: dict[str, Any]) -> int:
        # Attendees go with the create only: an update would add them again.
        attendees = _attendees(ctx, item, sideloads)
        data = {**data, "appointment_attendees_attributes": attendees}
        out = await appointments.create(tx, ctx.who, {"appointment": data})
        return int(out["appointment"]["id"])

    async def update(tx: Conn, local: int, data: dict[str, Any]) -> Any:
        return await appointments.update(tx, ctx.who, local, {"appointment": data})

    return await _upsert(ctx, conn, "appointments", item, body, create, update)


def _attendees(
    ctx: SyncContext, item: dict[str, Any], sideloads: dict[str, Any]
) -> list[dict[str, Any]]:
    """The appointment's attendees (contacts and users) that have local copies."""
    wanted = set(item.get("appointment_attendee_ids") or [])
    out = []
    for entry in sideloads.get("appointment_attendees") or []:
        if entry.get("id") not in wanted:
            continue
        nested = entry.get("attendee") or {}
        raw_type = str(entry.get("attendee_type") or nested.get("type") or "").lower()
        kind, api_type = ATTENDEE_TYPES.get(raw_type, (None, None))
        found = (
            ctx.links.local(kind, entry.get("attendee_id") or nested.get("id")) if kind else None
        )
        if found is not None:
            out.append({"attendee_type": api_type, "attendee_id": found})
    return out


async def _upsert(
    ctx: SyncContext,
    conn: Conn,
    kind: str,
    item: dict[str, Any],
    body: dict[str, Any],
    create: Create,
    update: Update,
) -> str:
    local, outcome = await create_or_update(
        ctx.links.local(kind, item["id"]),
        lambda found: update(conn, found, body),
        lambda: create(conn, body),
    )
    await ctx.links.save(conn, kind, item["id"], local, item.get("updated_at"))
    return outcome
