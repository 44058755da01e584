"""Team members of any record: `POST .../{id}/manage_team_members`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import timeline
from opensales.kit.coerce import to_bool, to_id
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.options import in_clause, option
from opensales.kit.principal import Principal


class TeamUserIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_id: int | str
    designation_id: int | str | None = None
    destroy: bool | str | None = Field(None, alias="_destroy")


class TeamUsersIn(BaseModel):
    team_users: list[TeamUserIn]


class TeamUserOut(BaseModel):
    entity_id: int
    user_id: int
    designation_id: int | None
    created_at: str
    updated_at: str


class TeamUsersOut(BaseModel):
    team_users: list[TeamUserOut]


def _render(row: Row) -> dict[str, Any]:
    return {
        "entity_id": row["entity_id"],
        "user_id": row["user_id"],
        "designation_id": row["designation_id"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
    }


def _item(raw: Any, index: int) -> tuple[int, int | None, bool]:
    where = f"team_users[{index}]"
    if not isinstance(raw, dict):
        raise ValidationError(f"Invalid value for {where}: must be an object")
    try:
        user_id = to_id(raw.get("user_id"))
        designation_id = to_id(raw.get("designation_id"))
        destroy = bool(to_bool(raw.get("_destroy")))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {where}: {exc}") from None
    if user_id is None:
        raise ValidationError(f"Invalid value for {where}.user_id: is required")
    return user_id, designation_id, destroy


async def manage(
    conn: Conn, who: Principal, entity_type: str, entity_id: int, items: Any
) -> list[dict[str, Any]]:
    """Add, update (designation) or remove (`_destroy`) members; answer the whole team."""
    if not isinstance(items, list):
        raise ValidationError("Invalid value for team_users: must be an array")
    now = utcnow()
    key = {"t": entity_type, "e": entity_id}
    before = {
        r["user_id"]: r["designation_id"] for r in await members(conn, entity_type, entity_id)
    }
    for index, raw in enumerate(items):
        user_id, designation_id, destroy = _item(raw, index)
        if destroy:
            await conn.execute(
                "DELETE FROM team_members WHERE entity_type = :t AND entity_id = :e "
                "AND user_id = :u",
                {**key, "u": user_id},
            )
            continue
        await _check(conn, who, user_id, designation_id)
        changed = await conn.execute(
            "UPDATE team_members SET designation_id = :d, updated_at = :now "
            "WHERE entity_type = :t AND entity_id = :e AND user_id = :u",
            {**key, "u": user_id, "d": designation_id, "now": now},
        )
        if not changed:
            await conn.execute(
                "INSERT INTO team_members (workspace_id, entity_type, entity_id, user_id, "
                "designation_id, created_at, updated_at) VALUES (:ws, :t, :e, :u, :d, :now, :now)",
                {**key, "ws": who.workspace_id, "u": user_id, "d": designation_id, "now": now},
            )
    team = await members(conn, entity_type, entity_id)
    after = {r["user_id"]: r["designation_id"] for r in team}
    await timeline.team_changed(conn, who, (entity_type, entity_id), before, after)
    return [_render(r) for r in team]


async def members(conn: Conn, entity_type: str, entity_id: int) -> list[Row]:
    return await conn.fetch_all(
        "SELECT * FROM team_members WHERE entity_type = :t AND entity_id = :e ORDER BY id",
        {"t": entity_type, "e": entity_id},
    )


async def member_ids(conn: Conn, entity_type: str, ids: Sequence[int]) -> dict[int, list[int]]:
    """The team's user ids of each record, in one query."""
    found: dict[int, list[int]] = {i: [] for i in ids}
    clause, params = in_clause("e", ids)
    for row in await conn.fetch_all(
        "SELECT entity_id, user_id FROM team_members WHERE entity_type = :t "
        f"AND entity_id IN {clause} ORDER BY id",
        {"t": entity_type, **params},
    ):
        found[row["entity_id"]].append(row["user_id"])
    return found


async def _check(conn: Conn, who: Principal, user_id: int, designation_id: int | None) -> None:
    user = await conn.fetch_val(
        "SELECT id FROM users WHERE id = :id AND workspace_id = :ws",
        {"id": user_id, "ws": who.workspace_id},
    )
    if not user:
        raise ValidationError(f"Invalid value for user_id: no such user with id {user_id}")
    if designation_id is not None and not await option(
        conn, who.workspace_id, "designations", designation_id
    ):
        raise ValidationError(
            f"Invalid value for designation_id: no such designation with id {designation_id}"
        )
