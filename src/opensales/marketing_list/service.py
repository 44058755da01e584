"""Marketing lists: named sets of contacts, shared by the workspace.

Moving contacts between lists is a background job (MOVE_LIST_CONTACTS, kit/jobs.py): the
request checks what it asks for and queues it; the job moves the contacts.

A list belongs to the workspace, not to a user; what a user may do with its contacts is
bounded by their scope (docs/decisions/0003): contents show only the live contacts they may
see, ids they may not see are refused by name, and "all" (remove every contact, move every
contact) acts on the members in their scope only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.contact.service import contact_service
from opensales.db import Conn, Row
from opensales.errors import NotFoundError, PermissionDeniedError, ValidationError
from opensales.kit import jobs, versions
from opensales.kit.coerce import to_bool, to_id, to_text
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.http import unwrap
from opensales.kit.options import in_clause
from opensales.kit.pagination import ListQuery, page_rows, total
from opensales.kit.principal import Principal
from opensales.kit.views import meta

MEMBERS = "list_members"  # the data version that list contents' caches key on
MAX_NAME = 255
# Ids named in one request: bounds the statement (every id is a bound parameter).
MAX_IDS = 1000
MOVE_JOB = "MOVE_LIST_CONTACTS"
MOVE_MESSAGE = "Updating now... we'll let you know once this is done."

# Response-only contact attributes of the list contents example that opensales does not
# track (sales sequences, chat, phone numbers): present, with the values of a contact
# that has none.
CONTACT_EXTRAS: dict[str, Any] = {
    "is_deleted": False,
    "recent_note": None,
    "work_email": None,
    "customer_fit": 0,
    "record_type_id": None,
    "whatsapp_subscription_status": None,
    "sms_subscription_status": None,
    "last_seen_chat": None,
    "first_seen_chat": None,
    "locale": None,
    "total_sessions": None,
    "phone_numbers": [],
    "web_form_ids": None,
    "last_assigned_at": None,
    "active_sales_sequences": None,
    "completed_sales_sequences": None,
    "last_contacted_sales_activity_mode": None,
    "last_contacted_via_sales_activity": None,
}


def render(row: Row) -> dict[str, Any]:
    """One list as create and rename answer it (`list_name`, and `name` as lists call it)."""
    return {
        "id": row["id"],
        "list_name": row["name"],
        "name": row["name"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
    }


def render_row(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
    }


def updated(count: int) -> dict[str, str]:
    return {"message": f"{count} {'contact' if count == 1 else 'contacts'} updated."}


# --- lists ------------------------------------------------------------------------------


async def find(conn: Conn, who: Principal, list_id: int | None) -> Row:
    row = None
    if list_id is not None:
        row = await conn.fetch_one(
            "SELECT * FROM marketing_lists WHERE id = :id AND workspace_id = :ws",
            {"id": list_id, "ws": who.workspace_id},
        )
    if row is None:
        raise NotFoundError("List not found")
    return row


async def _name(conn: Conn, who: Principal, data: dict[str, Any], own: int | None) -> str:
    try:
        name = to_text(unwrap(data, "list").get("name"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for name: {exc}") from None
    name = (name or "").strip()
    if not name:
        raise ValidationError("Invalid value for name: is required")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Invalid value for name: at most {MAX_NAME} characters")
    taken = await conn.fetch_val(
        "SELECT id FROM marketing_lists WHERE workspace_id = :ws AND lower(name) = lower(:name) "
        "AND id <> :own",
        {"ws": who.workspace_id, "name": name, "own": own or 0},
    )
    if taken:
        raise ValidationError(f"Invalid value for name: a list named '{name}' already exists")
    return name


async def create(conn: Conn, who: Principal, data: dict[str, Any]) -> Row:
    name = await _name(conn, who, data, None)
    now = utcnow()
    new_id = await conn.fetch_val(
        "INSERT INTO marketing_lists (workspace_id, name, created_at, updated_at) "
        "VALUES (:ws, :name, :now, :now) RETURNING id",
        {"ws": who.workspace_id, "name": name, "now": now},
    )
    return await find(conn, who, int(new_id))


async def rename(conn: Conn, who: Principal, list_id: int | None, data: dict[str, Any]) -> Row:
    row = await find(conn, who, list_id)
    name = await _name(conn, who, data, row["id"])
    await conn.execute(
        "UPDATE marketing_lists SET name = :name, updated_at = :now WHERE id = :id",
        {"name": name, "now": utcnow(), "id": row["id"]},
    )
    return await find(conn, who, row["id"])


async def page(conn: Conn, who: Principal, number: int, per_page: int) -> dict[str, Any]:
    """The workspace's lists, oldest first (a workspace has tens of lists, not millions)."""
    params = {"ws": who.workspace_id}
    count = int(
        await conn.fetch_val(
            "SELECT count(*) FROM marketing_lists WHERE workspace_id = :ws", params
        )
        or 0
    )
    rows = await conn.fetch_all(
        "SELECT * FROM marketing_lists WHERE workspace_id = :ws ORDER BY id "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (number - 1) * per_page},
    )
    return {"lists": [render_row(r) for r in rows], "meta": meta(count, per_page)}


def _in_scope(who: Principal, *, live: bool) -> tuple[str, dict[str, Any]]:
    """`SELECT id FROM contacts ...` limited to the workspace and the user's scope."""
    scope, params = who.scope_sql()
    alive = " AND is_deleted = false" if live else ""
    sql = f"SELECT id FROM contacts WHERE workspace_id = :scope_ws{alive}{scope}"
    return sql, {**params, "scope_ws": who.workspace_id}


async def delete(conn: Conn, who: Principal, list_id: int | None) -> None:
    """Delete a list (its memberships go with it; the contacts stay). A list holding
    contacts the user may not see is only for someone who sees them all to delete."""
    row = await find(conn, who, list_id)
    if not who.is_admin:
        visible, params = _in_scope(who, live=False)
        hidden = await conn.fetch_val(
            "SELECT count(*) FROM list_members WHERE list_id = :list "
            f"AND contact_id NOT IN ({visible})",
            {**params, "list": row["id"]},
        )
        if hidden:
            raise PermissionDeniedError(
                "The list holds contacts you may not see: only an admin can delete it"
            )
    await conn.execute("DELETE FROM marketing_lists WHERE id = :id", {"id": row["id"]})
    await versions.bump(conn, who.workspace_id, MEMBERS)


# --- contents ---------------------------------------------------------------------------


async def contacts(
    conn: Conn, who: Principal, list_id: int | None, number: int, per_page: int
) -> dict[str, Any]:
    """Full records of the list's live contacts that the user may see, by id."""
    row = await find(conn, who, list_id)
    scope, scope_params = who.scope_sql()
    contacts_version, _ = await versions.current(conn, who.workspace_id, "contacts")
    members_version, _ = await versions.current(conn, who.workspace_id, MEMBERS)
    query = ListQuery(
        select="*",
        source=(
            "contacts WHERE workspace_id = :ws AND is_deleted = false AND id IN "
            f"(SELECT contact_id FROM list_members WHERE list_id = :list){scope}"
        ),
        params={"ws": who.workspace_id, "list": row["id"], **scope_params},
        sort="id",
        descending=False,
        keyset=True,
        version=(contacts_version, members_version),
    )
    rows = await page_rows(conn, query, number, per_page)
    count = await total(conn, query)
    outs = await contact_service.render_full(conn, who, rows)
    for out in outs:
        for key, value in CONTACT_EXTRAS.items():
            out.setdefault(key, list(value) if isinstance(value, list) else value)
    avatars = {"Contact": {str(r["id"]): None for r in rows}}
    return {"contacts": outs, "meta": {**meta(count, per_page), "avatar_data": avatars}}


def read_ids(data: dict[str, Any], key: str = "ids") -> list[int]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise ValidationError(f"Invalid value for {key}: must be a non-empty array of ids")
    try:
        ids = [to_id(v) for v in raw]
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {key}: {exc}") from None
    if any(i is None for i in ids):
        raise ValidationError(f"Invalid value for {key}: ids must not be blank")
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    if len(unique) > MAX_IDS:
        raise ValidationError(f"Invalid value for {key}: at most {MAX_IDS} ids per request")
    return unique


def _listed(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


async def visible_contacts(conn: Conn, who: Principal, ids: Sequence[int]) -> list[int]:
    """`ids`, all of them live contacts the user may see; else a 400 naming the others."""
    visible, params = _in_scope(who, live=True)
    clause, id_params = in_clause("c", ids)
    found = {
        r["id"]
        for r in await conn.fetch_all(f"{visible} AND id IN {clause}", {**params, **id_params})
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"Invalid value for ids: no contact with id {_listed(missing)}")
    return list(ids)


async def _touched(conn: Conn, who: Principal, *list_ids: int) -> None:
    clause, params = in_clause("l", list_ids)
    await conn.execute(
        f"UPDATE marketing_lists SET updated_at = :now WHERE id IN {clause}",
        {**params, "now": utcnow()},
    )
    await versions.bump(conn, who.workspace_id, MEMBERS)


async def add_contacts(
    conn: Conn, who: Principal, list_id: int | None, data: dict[str, Any]
) -> dict[str, str]:
    """Add (or "copy") contacts to a list; those already in it stay as they are."""
    row = await find(conn, who, list_id)
    ids = await visible_contacts(conn, who, read_ids(data))
    now = utcnow()
    await conn.execute_many(
        "INSERT INTO list_members (workspace_id, list_id, contact_id, created_at) "
        "VALUES (:ws, :list, :contact, :now) ON CONFLICT (list_id, contact_id) DO NOTHING",
        [{"ws": who.workspace_id, "list": row["id"], "contact": i, "now": now} for i in ids],
    )
    await _touched(conn, who, row["id"])
    return updated(len(ids))


async def remove_contacts(
    conn: Conn, who: Principal, list_id: int | None, data: dict[str, Any]
) -> dict[str, str]:
    """Remove `ids` from a list, or with `all: true` every member in the user's scope."""
    row = await find(conn, who, list_id)
    try:
        everything = to_bool(data.get("all"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for all: {exc}") from None
    if everything:
        visible, params = _in_scope(who, live=False)
        removed = await conn.execute(
            f"DELETE FROM list_members WHERE list_id = :list AND contact_id IN ({visible})",
            {**params, "list": row["id"]},
        )
    else:
        ids = await visible_contacts(conn, who, read_ids(data))
        clause, params = in_clause("c", ids)
        await conn.execute(
            f"DELETE FROM list_members WHERE list_id = :list AND contact_id IN {clause}",
            {**params, "list": row["id"]},
        )
        removed = len(ids)
    await _touched(conn, who, row["id"])
    return updated(removed)


# --- moving -----------------------------------------------------------------------------


async def check_move(
    conn: Conn, who: Principal, to_list_id: int | None, data: dict[str, Any]
) -> tuple[int, int, list[int] | None]:
    """What a move request asks for, checked before it is queued: the target list, the
    source list and the contacts (None: every member of the source in the user's scope)."""
    target = await find(conn, who, to_list_id)
    try:
        from_id = to_id(data.get("from_list_id"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for from_list_id: {exc}") from None
    if from_id is None:
        raise ValidationError("Invalid value for from_list_id: is required")
    try:
        source = await find(conn, who, from_id)
    except NotFoundError:
        raise ValidationError(
            f"Invalid value for from_list_id: no list with id {from_id}"
        ) from None
    if source["id"] == target["id"]:
        raise ValidationError("Invalid value for from_list_id: a list cannot move into itself")
    if data.get("ids") is None:
        return target["id"], source["id"], None
    ids = await visible_contacts(conn, who, read_ids(data))
    clause, params = in_clause("c", ids)
    members = {
        r["contact_id"]
        for r in await conn.fetch_all(
            f"SELECT contact_id FROM list_members WHERE list_id = :list AND contact_id IN {clause}",
            {**params, "list": source["id"]},
        )
    }
    outside = [i for i in ids if i not in members]
    if outside:
        raise ValidationError(
            f"Invalid value for ids: contacts {_listed(outside)} are not in list {source['id']}"
        )
    return target["id"], source["id"], ids


async def move_contacts(
    conn: Conn, who: Principal, to_list_id: int, from_list_id: int, ids: Sequence[int] | None
) -> int:
    """Move contacts of one list into another: `ids` (those still live, in the user's scope
    and in the source list), or every member of the source in the user's scope. Answers how
    many left the source list. Run as a job, so it checks again what it moves."""
    for list_id in (to_list_id, from_list_id):
        await find(conn, who, list_id)
    visible, params = _in_scope(who, live=ids is not None)
    if ids is not None:
        clause, id_params = in_clause("c", ids)
        visible += f" AND id IN {clause}"
        params.update(id_params)
    params.update({"source": from_list_id, "target": to_list_id, "ws": who.workspace_id})
    await conn.execute(
        "INSERT INTO list_members (workspace_id, list_id, contact_id, created_at) "
        "SELECT :ws, :target, contact_id, :now FROM list_members "
        f"WHERE list_id = :source AND contact_id IN ({visible}) "
        "ON CONFLICT (list_id, contact_id) DO NOTHING",
        {**params, "now": utcnow()},
    )
    moved = await conn.execute(
        f"DELETE FROM list_members WHERE list_id = :source AND contact_id IN ({visible})",
        params,
    )
    await _touched(conn, who, to_list_id, from_list_id)
    return moved


async def _apply_move(conn: Conn, who: Principal, item: jobs.Item) -> None:
    move = item.value
    await move_contacts(conn, who, move["to_list_id"], move["from_list_id"], move["ids"])


def _describe_move(move: Any) -> dict[str, Any]:
    return {"list_id": move["to_list_id"], "from_list_id": move["from_list_id"]}


jobs.register(jobs.JobType(MOVE_JOB, _apply_move, describe=_describe_move))


async def queue_move(
    conn: Conn, who: Principal, to_list_id: int | None, data: dict[str, Any]
) -> int:
    """Check a move request and queue it as one job (its id); `jobs.wake` after commit."""
    target, source, ids = await check_move(conn, who, to_list_id, data)
    move = {"to_list_id": target, "from_list_id": source, "ids": ids}
    # No cap on moves in progress (Freshsales documents one for bulk upserts only).
    return await jobs.enqueue(
        conn, who, MOVE_JOB, [move], entity_type="marketing_lists", limit=None
    )
