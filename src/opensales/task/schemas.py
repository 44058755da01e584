"""Wire shapes of tasks: the rendering, the records' `include=tasks`, and the pydantic
models of the OpenAPI document (handlers read bodies leniently, as Freshsales does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.db import Conn, Row
from opensales.kit import engagement
from opensales.kit.dates import format_timestamp
from opensales.kit.principal import Principal
from opensales.kit.sideload import Include
from opensales.task import repository


def render(row: Row, user_ids: Sequence[int]) -> dict[str, Any]:
    """One task, every key present (blank ones null); `user_ids` are its collaborators."""
    table, record_id = row["target_table"], row["target_id"]
    return {
        "id": row["id"],
        "status": int(row["status"]),
        "title": row["title"],
        "description": row["description"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
        "owner_id": row["owner_id"],
        "due_date": format_timestamp(row["due_date"]),
        "creater_id": row["creater_id"],
        "updater_id": row["updater_id"],
        "completed_date": format_timestamp(row["completed_date"]),
        "task_type_id": row["task_type_id"],
        "outcome_id": row["outcome_id"],
        "user_ids": list(user_ids),
        "targetable_id": record_id,
        "targetable_type": engagement.targetable_type(table),
        "targetable": engagement.targetable(table, record_id),
    }


async def render_all(conn: Conn, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Tasks with their collaborators, read in one query."""
    people = await repository.collaborators(conn, [r["id"] for r in rows])
    return [render(r, people[r["id"]]) for r in rows]


def include(record_table: str) -> Include:
    """`include=tasks` on a contact, account, deal or module record: its tasks, by due date."""
    attached = engagement.attached(
        repository.TABLE, "tasks", record_table, lambda row: render(row, []), order="due_date"
    )
    assert attached.load is not None
    load_attached = attached.load

    async def load(conn: Conn, who: Principal, rows: Sequence[Row]) -> list[dict[str, Any]]:
        outs = await load_attached(conn, who, rows)
        people = await repository.collaborators(conn, [o["id"] for o in outs])
        for out in outs:
            out["user_ids"] = people[out["id"]]
        return outs

    return Include("tasks", load=load)


# --- OpenAPI ------------------------------------------------------------------------------

Id = int | str


class TaskUserIn(BaseModel):
    """A collaborator; `_destroy: true` removes them on update."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    user_id: Id
    destroy: bool | int | str | None = Field(None, alias="_destroy")


class TaskFields(BaseModel):
    model_config = ConfigDict(extra="ignore")
    description: str | None = None
    owner_id: Id | None = Field(None, description="A user of the workspace; default: you")
    status: int | str | None = Field(None, description="0 open, 1 completed")
    task_type_id: Id | None = Field(None, description="A sales_activity_types option")
    outcome_id: Id | None = Field(
        None, description="A sales_activity_outcomes option (of the task type, when given)"
    )
    task_users_attributes: list[TaskUserIn] | None = Field(
        None, description="Collaborators; on update the list replaces them"
    )


class TaskCreateIn(TaskFields):
    title: str
    due_date: str = Field(description="Any accepted date format, JS Date strings included")
    targetable_type: str = Field(
        description="Contact, SalesAccount, Deal or a module (cm_property)"
    )
    targetable_id: Id


class TaskUpdateIn(TaskFields):
    title: str | None = None
    due_date: str | None = None
    targetable_type: str | None = None
    targetable_id: Id | None = None


class TaskCreateRequest(BaseModel):
    task: TaskCreateIn


class TaskUpdateRequest(BaseModel):
    task: TaskUpdateIn


class TargetableOut(BaseModel):
    type: str
    id: int


class TaskOut(BaseModel):
    id: int
    status: int
    title: str
    description: str | None
    created_at: str
    updated_at: str
    owner_id: int | None
    due_date: str
    creater_id: int | None
    updater_id: int | None
    completed_date: str | None
    task_type_id: int | None
    outcome_id: int | None
    user_ids: list[int]
    targetable_id: int | None
    targetable_type: str | None
    targetable: TargetableOut | None


Sideload = list[dict[str, Any]] | None


class TaskEnvelope(BaseModel):
    """A task, with `users` (owner and collaborators) and its record when asked for (and
    `users` always on update)."""

    task: TaskOut
    users: Sideload = None
    contacts: Sideload = None
    sales_accounts: Sideload = None
    deals: Sideload = None


class TaskDeleted(BaseModel):
    task: TaskOut


class TasksMeta(BaseModel):
    total: int


class TaskList(BaseModel):
    tasks: list[TaskOut]
    meta: TasksMeta
    users: Sideload = None
    contacts: Sideload = None
    sales_accounts: Sideload = None
    deals: Sideload = None
