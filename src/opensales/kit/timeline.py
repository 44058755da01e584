"""A record's activity timeline: who changed what, and when, appended and never rewritten.

One entry is one row of `activities` on one record's timeline (`entity_type` is the record's
table). An event that concerns several records (a deal's stage change, a contact linked to
an account) is appended to each of their timelines. Entries read back in Freshsales' shape
(`GET /api/contacts/1/activities`): `targetable_*` is the record the event happened to,
`actionable_*` the object it involved (an account linked, later a note or an appointment).

Action types are an open set of strings: `<SINGULAR>_CREATED`, `_UPDATED` (old and new value
of each changed field), `_DELETED`, `_RESTORED`, `OWNER_CHANGE`, `STAGE_CHANGE`,
`TEAM_CHANGE`, `<SINGULAR>_LINKED` and `_UNLINKED`; later resources append their own.

The references are kept in the entry's JSON under reserved keys (`_target`, `_actionable`),
since the table has no columns for them; names are looked up when the timeline is read, so a
renamed record shows its current name and a forgotten one shows none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from opensales.db import Conn, Row
from opensales.kit import modules
from opensales.kit.coerce import query_int
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.fields import RENDER, json_value
from opensales.kit.http import include_handles
from opensales.kit.kind import Kind
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import load_users
from opensales.kit.views import Meta, meta

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_PAGE = 10**6

Ref = tuple[str, int]  # (table, id): a record, or any object a timeline entry names


@dataclass(frozen=True, slots=True)
class Subject:
    """A kind of object an entry can name: how the API calls it and where its name is."""

    type: str  # "Deal": targetable_type / actionable_type
    singular: str  # "deal": action types ("DEAL_CREATED") and data keys ("deal_id")
    name_column: str
    scoped: bool = True  # the table has owner_id/territory_id, so the reader's scope applies


# Records: the timelines there are.
SUBJECTS: dict[str, Subject] = {
    "contacts": Subject("Contact", "contact", "display_name"),
    "sales_accounts": Subject("SalesAccount", "sales_account", "name"),
    "deals": Subject("Deal", "deal", "name"),
    "cpq_documents": Subject("CpqDocument", "cpq_document", "display_name"),
    "leads": Subject("Lead", "lead", "display_name"),
}
# What else an entry can name: the items added to a record (kit/engagement.py).
ITEMS: dict[str, Subject] = {
    "notes": Subject("Note", "note", "description", scoped=False),
    "tasks": Subject("Task", "task", "title", scoped=False),
    "appointments": Subject("Appointment", "appointment", "title", scoped=False),
    "sales_activities": Subject("SalesActivity", "sales_activity", "title", scoped=False),
    "phone_calls": Subject("PhoneCall", "phone_call", "id", scoped=False),
    "files": Subject("Document", "document", "name", scoped=False),
}

_INSERT = (
    "INSERT INTO activities (workspace_id, entity_type, entity_id, action_type, action_data, "
    "user_id, created_at) VALUES (:ws, :t, :e, :action, :data, :user, :now)"
)
# Every writable field goes into an update's diff, except those with entries of their own.
OWN_ENTRIES = frozenset({"owner_id"})


def action(table: str, verb: str) -> str:
    """`CONTACT_CREATED`, `SALES_ACCOUNT_DELETED`: the action type of a record's own event."""
    return f"{_subject(table).singular.upper()}_{verb}"


def _subject(table: str) -> Subject:
    found = SUBJECTS.get(table) or ITEMS.get(table) or _module_subject(table)
    return found or Subject(table, table.removesuffix("s"), "name", scoped=False)


def _module_subject(table: str) -> Subject | None:
    """A custom module's records, named by the module's entity name (`cm_property`)."""
    entity = modules.entity_of(table)
    return Subject(entity, entity, "name") if entity else None


# --- writing ------------------------------------------------------------------------------


async def append(
    conn: Conn,
    who: Principal,
    action_type: str,
    data: Mapping[str, Any],
    timelines: Iterable[tuple[str, int | None]],
    *,
    target: Ref | None = None,
    actionable: Ref | None = None,
) -> None:
    """Add one event to each timeline; `target` defaults to the timeline's own record."""
    rows = entries(who, action_type, data, timelines, utcnow(), target, actionable)
    if rows:
        await conn.execute_many(_INSERT, rows)


def entries(
    who: Principal,
    action_type: str,
    data: Mapping[str, Any],
    timelines: Iterable[tuple[str, int | None]],
    now: Any,
    target: Ref | None = None,
    actionable: Ref | None = None,
) -> list[dict[str, Any]]:
    """The `activities` rows of one event (see `append`), for writers that insert many."""
    rows = []
    for table, record_id in dict.fromkeys(timelines):
        if record_id is None:
            continue
        stored = dict(data)
        if target is not None and target != (table, record_id):
            stored["_target"] = list(target)
        if actionable is not None:
            stored["_actionable"] = list(actionable)
        rows.append(
            {
                "ws": who.workspace_id,
                "t": table,
                "e": record_id,
                "action": action_type,
                "data": stored,
                "user": who.user_id,
                "now": now,
            }
        )
    return rows


async def created(
    conn: Conn, who: Principal, table: str, record_id: int, row: Mapping[str, Any]
) -> None:
    await conn.execute_many(_INSERT, created_entries(who, table, record_id, row, utcnow()))


def created_entries(
    who: Principal, table: str, record_id: int, row: Mapping[str, Any], now: Any
) -> list[dict[str, Any]]:
    name = row.get(_subject(table).name_column)
    return entries(who, action(table, "CREATED"), {"name": name}, [(table, record_id)], now)


async def each(conn: Conn, who: Principal, table: str, ids: Iterable[int], verb: str) -> None:
    """The same plain event (`DELETED`, `RESTORED`) on each record's own timeline."""
    for record_id in ids:
        await append(conn, who, action(table, verb), {}, [(table, record_id)])


def changes(kind: Kind, existing: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Old and new value of each writable field (and custom field) the write changes, both
    in their wire form, so that stored and sent values of one field compare alike."""
    found: dict[str, Any] = {}
    for name, new in values.items():
        f = kind.by_name.get(name)
        if f is None or not f.writable or name in OWN_ENTRIES:
            continue
        conv = RENDER[f.type]
        old = existing.get(name)
        old_out = conv(old) if conv is not None and old is not None else old
        new_out = conv(new) if conv is not None and new is not None else new
        if old_out != new_out:
            found[name] = {"old": old_out, "new": new_out}
    custom = values.get("custom_field")
    if isinstance(custom, Mapping):
        before = json_value(existing.get("custom_field"))
        diff = {
            k: {"old": before.get(k), "new": v} for k, v in custom.items() if before.get(k) != v
        }
        if diff:
            found["custom_field"] = diff
    return found


async def updated(
    conn: Conn,
    who: Principal,
    kind: Kind,
    existing: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    skip: Iterable[str] = (),
) -> None:
    """An update's entries: the owner change, and the other fields' old and new values
    (less `skip`, fields whose changes the kind records in entries of its own)."""
    own = (kind.table, int(existing["id"]))
    new_owner = values.get("owner_id")
    if new_owner is not None and new_owner != existing.get("owner_id"):
        await owner_changed(conn, who, own, existing.get("owner_id"), new_owner)
    diff = changes(kind, existing, values)
    for name in skip:
        diff.pop(name, None)
    if diff:
        await append(conn, who, action(kind.table, "UPDATED"), {"changes": diff}, [own])


async def owner_changed(conn: Conn, who: Principal, record: Ref, old: int | None, new: int) -> None:
    await append(conn, who, "OWNER_CHANGE", {"owner_id": new, "old_owner_id": old}, [record])


async def linked(
    conn: Conn,
    who: Principal,
    record: Ref,
    other: str,
    before: Iterable[int],
    after: Iterable[int],
) -> None:
    """`record` gained or lost links to records of table `other` (a contact's accounts, a
    deal's contacts): `<OTHER>_LINKED` / `_UNLINKED` on both sides' timelines."""
    old, new = set(before), set(after)
    now = utcnow()
    for verb, ids in (("UNLINKED", old - new), ("LINKED", new - old)):
        for other_id in sorted(ids):
            rows = link_entries(who, record, verb, (other, other_id), now)
            await conn.execute_many(_INSERT, rows)


def link_entries(
    who: Principal, record: Ref, verb: str, other: Ref, now: Any
) -> list[dict[str, Any]]:
    """`<OTHER>_LINKED` (or `_UNLINKED`) on the timelines of both records."""
    singular = _subject(other[0]).singular
    return entries(
        who,
        f"{singular.upper()}_{verb}",
        {f"{singular}_id": other[1]},
        [record, other],
        now,
        target=record,
        actionable=other,
    )


async def team_changed(
    conn: Conn,
    who: Principal,
    record: Ref,
    before: Mapping[int, int | None],
    after: Mapping[int, int | None],
) -> None:
    """Members (user id -> designation id) added, removed or given another designation."""
    data = {
        "added": [{"user_id": u, "designation_id": d} for u, d in after.items() if u not in before],
        "removed": [
            {"user_id": u, "designation_id": d} for u, d in before.items() if u not in after
        ],
        "updated": [
            {"user_id": u, "designation_id": {"old": before[u], "new": d}}
            for u, d in after.items()
            if u in before and before[u] != d
        ],
    }
    if any(data.values()):
        await append(conn, who, "TEAM_CHANGE", data, [record])


async def forget(conn: Conn, table: str, record_id: int) -> None:
    """A forgotten record's timeline goes with it (entries on other timelines that name it
    stay, and read back without its name)."""
    await conn.execute(
        "DELETE FROM activities WHERE entity_type = :t AND entity_id = :e",
        {"t": table, "e": record_id},
    )


# --- reading ------------------------------------------------------------------------------


class ActivityOut(BaseModel):
    composite_id: str
    action_data: dict[str, Any]
    action_type: str
    created_at: str
    user_activity: bool
    targetable_type: str | None
    targetable_id: int | None
    actionable_type: str | None
    actionable_id: int | None
    targetable_name: str | None
    user_id: int | None


class TimelineOut(BaseModel):
    activities: list[ActivityOut]
    meta: Meta
    users: list[dict[str, Any]] | None = None


def limits(query: Mapping[str, str]) -> tuple[int, int]:
    """`limit` (or `per_page`): 1..100, default 25; `page` from 1."""
    raw = query.get("limit") or query.get("per_page")
    limit = query_int(raw, DEFAULT_LIMIT)
    limit = DEFAULT_LIMIT if limit < 1 else min(limit, MAX_LIMIT)
    page = min(max(1, query_int(query.get("page"), 1)), MAX_PAGE)
    return limit, page


async def read(conn: Conn, who: Principal, record: Ref, query: Mapping[str, str]) -> dict[str, Any]:
    """A record's timeline, newest first: `{"activities": [...], "meta": ..., "users": ...}`.

    Both queries stay on the index (entity_type, entity_id, id) and within this record's
    entries; record ids are unique across workspaces, and the caller has checked the record.
    """
    limit, page = limits(query)
    where = {"t": record[0], "e": record[1]}
    total = int(
        await conn.fetch_val(
            "SELECT count(*) FROM activities WHERE entity_type = :t AND entity_id = :e", where
        )
        or 0
    )
    rows: list[Row] = []
    if (page - 1) * limit < total:
        rows = await conn.fetch_all(
            "SELECT id, entity_type, entity_id, action_type, action_data, user_id, created_at "
            "FROM activities WHERE entity_type = :t AND entity_id = :e AND workspace_id = :ws "
            "ORDER BY id DESC LIMIT :limit OFFSET :offset",
            {**where, "ws": who.workspace_id, "limit": limit, "offset": (page - 1) * limit},
        )
    data = [_stored(r) for r in rows]
    names = await _names(conn, who, [d["_target"] for d in data if "_target" in d])
    out: dict[str, Any] = {
        "activities": [render(r, d, names) for r, d in zip(rows, data, strict=True)],
        "meta": meta(total, limit),
    }
    handles = include_handles(query)
    if "user" in handles or "users" in handles:
        ids = {r["user_id"] for r in rows if r["user_id"] is not None}
        out["users"] = await load_users(conn, who.workspace_id, ids)
    return out


async def stage_changes(
    conn: Conn, who: Principal, deal_ids: Sequence[int], up_to: int, limit: int = 200
) -> list[Row]:
    """The latest `limit` STAGE_CHANGE entries on these deals' own timelines up to entry id
    `up_to`, newest first: where a stage change came from is the one before it."""
    if not deal_ids:
        return []
    clause, params = in_clause("d", sorted(set(deal_ids)))
    return await conn.fetch_all(
        f"SELECT id, entity_id, action_data FROM activities WHERE entity_type = 'deals' "
        f"AND entity_id IN {clause} AND workspace_id = :ws AND action_type = 'STAGE_CHANGE' "
        "AND id <= :up_to ORDER BY id DESC LIMIT :limit",
        {**params, "ws": who.workspace_id, "up_to": up_to, "limit": limit},
    )


def _stored(row: Row) -> dict[str, Any]:
    data = json_value(row["action_data"])
    return dict(data) if isinstance(data, dict) else {}


def _ref(value: Any) -> Ref | None:
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), int(value[1])
    return None


def render(row: Row, data: dict[str, Any], names: Mapping[Ref, str | None]) -> dict[str, Any]:
    """One entry as Freshsales renders it; the target's name only when it is another record."""
    target = _ref(data.pop("_target", None))
    actionable = _ref(data.pop("_actionable", None))
    table, target_id = target or (row["entity_type"], row["entity_id"])
    return {
        "composite_id": f"{row['id']}_{row['action_type']}",
        "action_data": data,
        "action_type": row["action_type"],
        "created_at": format_timestamp(row["created_at"]),
        "user_activity": row["user_id"] is not None,
        "targetable_type": _subject(table).type,
        "targetable_id": target_id,
        "actionable_type": _subject(actionable[0]).type if actionable else None,
        "actionable_id": actionable[1] if actionable else None,
        "targetable_name": names.get(target) if target else None,
        "user_id": row["user_id"],
    }


async def _names(conn: Conn, who: Principal, raw: Sequence[Any]) -> dict[Ref, str | None]:
    """The current names of the records entries point at, among those the reader may see."""
    wanted: dict[str, set[int]] = {}
    for value in raw:
        ref = _ref(value)
        if ref is not None and (ref[0] in SUBJECTS or modules.is_module_table(ref[0])):
            wanted.setdefault(ref[0], set()).add(ref[1])
    found: dict[Ref, str | None] = {}
    for table, ids in wanted.items():
        subject = _subject(table)
        clause, params = in_clause("n", sorted(ids))
        scope, scope_params = who.scope_sql() if subject.scoped else ("", {})
        for r in await conn.fetch_all(
            f"SELECT id, {subject.name_column} AS name FROM {table} WHERE workspace_id = :ws "
            f"AND is_deleted = false AND id IN {clause}{scope}",
            {"ws": who.workspace_id, **params, **scope_params},
        ):
            found[(table, r["id"])] = r["name"]
    return found


async def record_names(conn: Conn, who: Principal, refs: Iterable[Ref]) -> dict[Ref, str | None]:
    """The current names of records, by (table, id), among those the reader may see (a
    record page's lookups)."""
    return await _names(conn, who, [list(ref) for ref in refs])
