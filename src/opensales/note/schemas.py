"""Wire shapes of notes: the rendered note, and pydantic models for the OpenAPI document
(handlers read bodies leniently: root key optional, ids as strings, unknown keys ignored)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from opensales.db import Row
from opensales.kit import engagement
from opensales.kit.dates import format_timestamp
from opensales.kit.sideload import Include


def render(row: Row) -> dict[str, Any]:
    """One note: the documented four keys, then who wrote it and the record it is on."""
    table, target_id = row["target_table"], row["target_id"]
    return {
        "id": row["id"],
        "description": row["description"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
        "creater_id": row["creater_id"],
        "targetable_id": target_id,
        "targetable_type": engagement.targetable_type(table),
        "targetable": engagement.targetable(table, target_id),
    }


def include(record_table: str) -> Include:
    """`include=notes` on a contact, account, deal or module record: its notes, newest first."""
    return engagement.attached("notes", "notes", record_table, render, order="id DESC")


class NoteFields(BaseModel):
    model_config = ConfigDict(extra="ignore")
    description: str
    targetable_type: str
    targetable_id: int | str


class NoteUpdateFields(BaseModel):
    """A note's new text; `targetable_*` (which the examples resend) may move it."""

    model_config = ConfigDict(extra="ignore")
    description: str | None = None
    targetable_type: str | None = None
    targetable_id: int | str | None = None


class NoteIn(BaseModel):
    """`{"note": {...}}`, or the bare object."""

    model_config = ConfigDict(extra="ignore")
    note: NoteFields


class NoteUpdateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    note: NoteUpdateFields


class TargetableOut(BaseModel):
    type: str
    id: int


class NoteOut(BaseModel):
    id: int
    description: str
    created_at: str
    updated_at: str
    creater_id: int | None
    targetable_id: int | None
    targetable_type: str | None
    targetable: TargetableOut | None


class NoteEnvelope(BaseModel):
    note: NoteOut
    users: list[dict[str, Any]] | None = None


class NotesMeta(BaseModel):
    total: int
    total_pages: int


class NoteList(BaseModel):
    notes: list[NoteOut]
    meta: NotesMeta
    users: list[dict[str, Any]] | None = None
