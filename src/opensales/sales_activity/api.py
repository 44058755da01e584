"""/api/sales_activities: create, view, list, update and delete sales activities."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, page_params, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import PAGE, PER_PAGE, database, write
from opensales.sales_activity import service
from opensales.sales_activity.schemas import (
    SalesActivityBody,
    SalesActivityEnvelope,
    SalesActivityPage,
    SuccessOut,
    render,
)

router = APIRouter(tags=["Sales activities"])


@router.post(
    "/sales_activities",
    summary="Create a sales activity",
    responses=responses(SalesActivityEnvelope),
    openapi_extra=body(SalesActivityBody),
)
async def create_sales_activity(request: Request) -> Response:
    """Log a sales activity (a meeting, a demo...) on a contact, account or deal."""
    row = await write(request, service.create)
    return json_response({"sales_activity": render(row)})


@router.get(
    "/sales_activities",
    summary="List sales activities",
    responses=responses(SalesActivityPage),
)
async def list_sales_activities(
    request: Request, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    """The sales activities the caller may see, newest first."""
    number, size = page_params(request)
    return json_response(await service.page(database(request), principal(request), number, size))


@router.get(
    "/sales_activities/{activity_id}",
    summary="View a sales activity",
    responses=responses(SalesActivityEnvelope),
)
async def get_sales_activity(request: Request, activity_id: str) -> Response:
    """One sales activity."""
    row = await service.get(database(request), principal(request), path_id(activity_id))
    return json_response({"sales_activity": render(row)})


@router.put(
    "/sales_activities/{activity_id}",
    summary="Update a sales activity",
    responses=responses(SalesActivityEnvelope),
    openapi_extra=body(SalesActivityBody),
)
async def update_sales_activity(request: Request, activity_id: str) -> Response:
    """Change some of a sales activity's fields; the others stay as they are."""
    row = await write(request, service.update, path_id(activity_id))
    return json_response({"sales_activity": render(row)})


@router.delete(
    "/sales_activities/{activity_id}",
    summary="Delete a sales activity",
    responses=responses(SuccessOut),
)
async def delete_sales_activity(request: Request, activity_id: str) -> Response:
    """Delete a sales activity for good; answers `{"success": "200"}`."""
    who = principal(request)
    async with database(request).transaction() as tx:
        await service.delete(tx, who, path_id(activity_id))
    return json_response({"success": "200"})
