"""Workspaces: created with their configuration, fields and default views, and an admin."""

from __future__ import annotations

from typing import Any

from opensales.account.kind import ACCOUNT
from opensales.account.kind import DEFAULT_VIEWS as ACCOUNT_VIEWS
from opensales.contact.kind import CONTACT
from opensales.contact.kind import DEFAULT_VIEWS as CONTACT_VIEWS
from opensales.cpq_document import fields as cpq_document_fields
from opensales.db import Conn, Row
from opensales.deal.kind import DEAL
from opensales.deal.kind import DEFAULT_VIEWS as DEAL_VIEWS
from opensales.errors import NotFoundError, ValidationError
from opensales.kit.dates import utcnow
from opensales.kit.kind import Kind
from opensales.kit.records import insert_sql
from opensales.kit.views import seed_views
from opensales.lead.kind import DEFAULT_VIEWS as LEAD_VIEWS
from opensales.lead.kind import LEAD
from opensales.product import fields as product_fields
from opensales.sales_activity import fields as sales_activity_fields
from opensales.selector.seeds import option_rows
from opensales.settings.service import seed_fields
from opensales.tracking.service import new_tracking_key
from opensales.user import service as users

VIEWS: tuple[tuple[Kind, tuple[dict[str, Any], ...]], ...] = (
    (CONTACT, CONTACT_VIEWS),
    (ACCOUNT, ACCOUNT_VIEWS),
    (DEAL, DEAL_VIEWS),
    (LEAD, LEAD_VIEWS),
)


async def find(conn: Conn, name: str) -> int | None:
    found = await conn.fetch_val("SELECT id FROM workspaces WHERE name = :n", {"n": name})
    return int(found) if found else None


async def name_of(conn: Conn, workspace_id: int) -> str:
    """The workspace's name: its "bundle alias", as Freshsales calls it."""
    return str(
        await conn.fetch_val("SELECT name FROM workspaces WHERE id = :id", {"id": workspace_id})
    )


async def named(conn: Conn, name: str) -> int:
    """The id of the workspace called `name`, else a 404 naming it."""
    found = await find(conn, name)
    if found is None:
        raise NotFoundError(f"no workspace named {name!r}")
    return found


async def create(conn: Conn, name: str) -> int:
    """A new workspace with the default configuration, fields and views."""
    workspace_id = int(
        await conn.fetch_val(
            "INSERT INTO workspaces (name, created_at, tracking_key) VALUES (:n, :now, :key) "
            "RETURNING id",
            {"n": name, "now": utcnow(), "key": new_tracking_key()},
        )
    )
    await _seed_options(conn, workspace_id)
    for kind, views in VIEWS:
        await seed_fields(conn, workspace_id, kind)
        await seed_views(conn, workspace_id, kind.table, views)
    await sales_activity_fields.seed_fields(conn, workspace_id, utcnow())
    await product_fields.seed_fields(conn, workspace_id, utcnow())
    await cpq_document_fields.seed_fields(conn, workspace_id, utcnow())
    return workspace_id


async def create_new(conn: Conn, name: str) -> int:
    """`create`, refused when the name is taken (names pick the workspace in the CLI)."""
    if await find(conn, name) is not None:
        raise ValidationError(f"A workspace named {name!r} already exists")
    return await create(conn, name)


async def list_workspaces(conn: Conn) -> list[Row]:
    """Every workspace with its number of users, oldest first."""
    return await conn.fetch_all(
        "SELECT w.id, w.name, w.created_at, count(u.id) AS users "
        "FROM workspaces w LEFT JOIN users u ON u.workspace_id = w.id "
        "GROUP BY w.id, w.name, w.created_at ORDER BY w.id"
    )


async def _seed_options(conn: Conn, workspace_id: int) -> None:
    """Options without a parent first, then their children (stages, statuses, outcomes)."""
    now = utcnow()
    rows = option_rows()
    for level in (False, True):
        batch = [
            {
                "workspace_id": workspace_id,
                "is_default": False,
                "created_at": now,
                "updated_at": now,
                **{k: v for k, v in row.items() if k != "parent"},
                "parent_id": await _parent_id(conn, workspace_id, row["parent"]),
            }
            for row in rows
            if (row["parent"] is not None) == level
        ]
        for columns, group in _by_columns(batch).items():
            sql = insert_sql("selector_options", columns, returning=False)
            await conn.execute_many(sql, group)


async def _parent_id(conn: Conn, workspace_id: int, parent: tuple[str, str] | None) -> Any:
    if parent is None:
        return None
    return await conn.fetch_val(
        "SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = :k AND name = :n",
        {"ws": workspace_id, "k": parent[0], "n": parent[1]},
    )


def _by_columns(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


async def ensure_admin(
    conn: Conn, workspace_id: int, *, email: str, password: str, api_key: str | None
) -> tuple[int, str | None]:
    """The admin user of `email`, created if missing; a given key (re)sets theirs.

    Answers the user id and the key when it is known (new or given): existing keys are
    stored hashed and cannot be shown again.
    """
    existing = await users.find_by_email(conn, workspace_id, email)
    if existing is None:
        return await users.create_user(
            conn,
            workspace_id,
            email=email,
            display_name=email.split("@")[0].title(),
            role="admin",
            password=password,
            api_key=api_key,
        )
    if api_key:
        await users.set_api_key(conn, existing["id"], api_key)
    return int(existing["id"]), api_key
