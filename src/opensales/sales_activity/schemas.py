"""Wire shapes of sales activities: how one renders, the `include=sales_activities` handle
of records, and the pydantic models of the OpenAPI document (handlers read bodies
leniently, see service.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.db import Row
from opensales.kit import engagement
from opensales.kit.dates import format_timestamp
from opensales.kit.fields import json_value
from opensales.kit.sideload import Include

TABLE = "sales_activities"


def as_datetime(value: datetime | str | None) -> datetime | None:
    """A stored timestamp (naive UTC text on SQLite) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _duration(row: Row) -> int | None:
    """Time spent between check-in and check-out, in seconds."""
    start, end = as_datetime(row["checkedin_at"]), as_datetime(row["checkedout_at"])
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds())


def render(row: Row) -> dict[str, Any]:
    """One sales activity as the reference shows it, every key present (nulls included)."""
    start = format_timestamp(row["start_date"])
    return {
        "id": row["id"],
        "title": row["title"],
        "start_date": start,
        "end_date": format_timestamp(row["end_date"]),
        "sales_activity_type_id": row["sales_activity_type_id"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
        "notes": row["notes"],
        "owner_id": row["owner_id"],
        "sales_activity_outcome_id": row["sales_activity_outcome_id"],
        "remote_id": None,
        "import_id": None,
        "creater_id": row["creater_id"],
        "updater_id": row["updater_id"],
        "conversation_time": start,
        "targetable_id": row["target_id"],
        "targetable_type": engagement.targetable_type(row["target_table"]),
        "targetable": engagement.targetable(row["target_table"], row["target_id"]),
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "location": row["location"],
        "checkedin_at": format_timestamp(row["checkedin_at"]),
        "checkedout_at": format_timestamp(row["checkedout_at"]),
        "checkedout_location": row["checkedout_location"],
        "checkedin_duration": _duration(row),
        "status": bool(row["status"]),
        "completed_date": format_timestamp(row["completed_date"]),
        "custom_field": dict(json_value(row["custom_field"])),
    }


def include(record_table: str) -> Include:
    """`include=sales_activities` on a contact, account or deal: its activities, by start."""
    return engagement.attached(TABLE, "sales_activities", record_table, render, "start_date")


# --- OpenAPI ------------------------------------------------------------------------------

Id = int | str
When = str


class SalesActivityIn(BaseModel):
    """Create (`*`: required) or update (any subset). Ids as numbers or strings; dates in any
    accepted format; unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")
    title: str | None = Field(None, description="*")
    sales_activity_type_id: Id | None = Field(None, description="* a sales_activity_types id")
    sales_activity_outcome_id: Id | None = Field(
        None, description="a sales_activity_outcomes id of the activity's type"
    )
    start_date: When | None = Field(None, description="*")
    end_date: When | None = Field(None, description="* not before start_date")
    notes: str | None = None
    owner_id: Id | None = Field(None, description="defaults to the requesting user")
    targetable_type: str | None = Field(None, description="* Contact, SalesAccount or Deal")
    targetable_id: Id | None = Field(None, description="*")
    location: str | None = None
    latitude: str | float | None = None
    longitude: str | float | None = None
    checkedin_at: When | None = None
    checkedout_at: When | None = None
    checkedout_location: str | None = None
    status: bool | str | int | None = Field(None, description="completed (sets completed_date)")
    completed_date: When | None = None
    custom_field: dict[str, Any] | None = None


class SalesActivityBody(BaseModel):
    """The reference sends `{"sales_activity": {...}}`; the bare object is accepted too."""

    model_config = ConfigDict(extra="ignore")
    sales_activity: SalesActivityIn


class Targetable(BaseModel):
    type: str
    id: int


class SalesActivityOut(BaseModel):
    id: int
    title: str
    start_date: str
    end_date: str
    sales_activity_type_id: int | None
    created_at: str
    updated_at: str
    notes: str | None
    owner_id: int | None
    sales_activity_outcome_id: int | None
    remote_id: None
    import_id: None
    creater_id: int | None
    updater_id: int | None
    conversation_time: str
    targetable_id: int | None
    targetable_type: str | None
    targetable: Targetable | None
    latitude: str | None
    longitude: str | None
    location: str | None
    checkedin_at: str | None
    checkedout_at: str | None
    checkedout_location: str | None
    checkedin_duration: int | None
    status: bool
    completed_date: str | None
    custom_field: dict[str, Any]


class SalesActivityEnvelope(BaseModel):
    sales_activity: SalesActivityOut


class SalesActivityMeta(BaseModel):
    total_pages: int
    total: int


class SalesActivityPage(BaseModel):
    sales_activities: list[SalesActivityOut]
    meta: SalesActivityMeta


class SuccessOut(BaseModel):
    success: str
