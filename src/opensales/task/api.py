"""/api/tasks: create, view, update (mark done, reopen), delete, and the filtered lists.

The two reads are also served from the API gate's fast routes (kit/fastpath.py), as the
same handler functions: a task list is what clients poll.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opensales.kit.coerce import path_id
from opensales.kit.fastpath import Call, route
from opensales.kit.http import include_handles, json_response, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.routes import INCLUDE, PAGE, PER_PAGE, call_of
from opensales.task import service
from opensales.task.schemas import (
    TaskCreateRequest,
    TaskDeleted,
    TaskEnvelope,
    TaskList,
    TaskUpdateRequest,
)

router = APIRouter(tags=["Tasks"])

FILTER = Query(
    None,
    description="open (the default), due_today, due_tomorrow, overdue or completed; "
    'spaced forms ("due today") too',
)


async def list_tasks_call(call: Call) -> Any:
    return await service.page(call.db, call.who, call.query)


async def get_task_call(call: Call, task_id: str) -> Any:
    return await service.get(call.db, call.who, path_id(task_id), call.query)


router.fast_routes = [  # type: ignore[attr-defined]
    route("GET", "/api/tasks", list_tasks_call),
    route("GET", "/api/tasks/{task_id}", get_task_call),
]


@router.post(
    "/tasks",
    summary="Create a task",
    responses=responses(TaskEnvelope),
    openapi_extra=body(TaskCreateRequest),
)
async def create_task(request: Request, include: str | None = INCLUDE) -> Response:
    """Create a task on a contact, account, deal or module record; the owner defaults to you."""
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        row = await service.create(tx, call.who, data)
        out = await service.envelope(tx, call.who, row, include_handles(call.query))
    return json_response(out)


@router.get("/tasks", summary="List tasks by filter", responses=responses(TaskList))
async def list_tasks(
    request: Request,
    filter: str | None = FILTER,
    include: str | None = Query(None, description="users, targetable, owner"),
    page: str | None = PAGE,
    per_page: str | None = PER_PAGE,
) -> Response:
    """Your tasks (owned or collaborating) of one filter; "today" is in your time zone."""
    return json_response(await list_tasks_call(await call_of(request)))


@router.get("/tasks/{task_id}", summary="View a task", responses=responses(TaskEnvelope))
async def get_task(
    request: Request,
    task_id: str,
    include: str | None = Query(None, description="users, targetable, owner"),
) -> Response:
    """A task, with its collaborators (`users`) and record (`targetable`) when asked."""
    return json_response(await get_task_call(await call_of(request), task_id))


@router.put(
    "/tasks/{task_id}",
    summary="Update a task, mark it done or reopen it",
    responses=responses(TaskEnvelope),
    openapi_extra=body(TaskUpdateRequest),
)
async def update_task(request: Request, task_id: str, include: str | None = INCLUDE) -> Response:
    """Update a task; `{"task": {"status": 1}}` marks it done, `0` reopens it."""
    call = await call_of(request)
    data = read_json(call.body)
    handles = ["users", *include_handles(call.query)]
    async with call.db.transaction() as tx:
        row = await service.update(tx, call.who, path_id(task_id), data)
        out = await service.envelope(tx, call.who, row, handles)
    return json_response(out)


@router.delete("/tasks/{task_id}", summary="Delete a task", responses=responses(TaskDeleted))
async def delete_task(request: Request, task_id: str) -> Response:
    """Delete a task; answers the deleted task."""
    call = await call_of(request)
    async with call.db.transaction() as tx:
        out = await service.delete(tx, call.who, path_id(task_id))
    return json_response(out)
