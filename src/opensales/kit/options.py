"""Configuration options (selector rows) as the API renders them, for selectors and sideloads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opensales.db import Conn, Row
from opensales.kit.dates import format_timestamp

# The parent of an option, named as the API names it, per kind of option.
PARENT_KEYS = {
    "deal_stages": "deal_pipeline_id",
    "contact_statuses": "lifecycle_stage_id",
    "sales_activity_outcomes": "sales_activity_type_id",
}


def render_option(row: Row) -> dict[str, Any]:
    kind = row["kind"]
    out: dict[str, Any] = {"id": row["id"], "name": row["name"], "position": row["position"]}
    parent_key = PARENT_KEYS.get(kind)
    if parent_key:
        out[parent_key] = row["parent_id"]
    if kind == "deal_stages":
        out["probability"] = row["probability"]
        out["forecast_type"] = row["forecast_type"]
        out["choice_type"] = {"open": 2, "won": 4, "lost": 4}.get(row["forecast_type"] or "", 2)
    elif kind == "currencies":
        out["currency_code"] = row["code"]
        out["exchange_rate"] = (
            str(row["exchange_rate"]) if row["exchange_rate"] is not None else None
        )
        out["is_base"] = bool(row["is_default"])
    elif kind in ("deal_pipelines", "territories", "lifecycle_stages"):
        out["is_default"] = bool(row["is_default"])
    out["updated_at"] = format_timestamp(row["updated_at"])
    return out


async def load_options(conn: Conn, workspace_id: int, ids: Iterable[int | None]) -> list[Row]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return []
    names = {f"o{n}": v for n, v in enumerate(wanted)}
    return await conn.fetch_all(
        f"SELECT * FROM selector_options WHERE workspace_id = :ws "
        f"AND id IN ({', '.join(':' + k for k in names)}) ORDER BY position, id",
        {"ws": workspace_id, **names},
    )


async def option(conn: Conn, workspace_id: int, kind: str, option_id: int) -> Row | None:
    return await conn.fetch_one(
        "SELECT * FROM selector_options WHERE id = :id AND workspace_id = :ws AND kind = :kind",
        {"id": option_id, "ws": workspace_id, "kind": kind},
    )


def in_clause(prefix: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """`(:p0, :p1, ...)` and its parameters; every value is bound."""
    params = {f"{prefix}{n}": v for n, v in enumerate(values)}
    if not params:
        return "(NULL)", {}
    return "(" + ", ".join(":" + k for k in params) + ")", params
