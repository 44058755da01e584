"""/api/appointments: create, view, update, delete and list appointments."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opensales.appointment import service
from opensales.appointment.schemas import (
    AppointmentDeleted,
    AppointmentEnvelope,
    AppointmentList,
    AppointmentRequest,
)
from opensales.kit.coerce import path_id
from opensales.kit.http import include_handles, json_response, page_params, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import PAGE, PER_PAGE, database, write

router = APIRouter(tags=["Appointments"])

FILTER = Query(
    None,
    alias="filter",
    description="open or upcoming (the default), past, complete or completed",
)
INCLUDE = Query(None, description="Comma-separated: creater, targetable, appointment_attendees")


@router.post(
    "/appointments",
    summary="Create an appointment",
    responses=responses(AppointmentEnvelope),
    openapi_extra=body(AppointmentRequest),
)
async def create_appointment(request: Request) -> Response:
    """Create an appointment, with its attendees (users and contacts)."""
    return json_response(await write(request, service.create))


@router.get(
    "/appointments", summary="List appointments by filter", responses=responses(AppointmentList)
)
async def list_appointments(
    request: Request,
    filter_: str | None = FILTER,
    include: str | None = INCLUDE,
    page: str | None = PAGE,
    per_page: str | None = PER_PAGE,
) -> Response:
    """The caller's upcoming (soonest first) or past (latest first) appointments: those they
    created or attend."""
    number, size = page_params(request)
    out = await service.page(
        database(request),
        principal(request),
        request.query_params.get("filter"),
        include_handles(request),
        number,
        size,
    )
    return json_response(out)


@router.get(
    "/appointments/{appointment_id}",
    summary="View an appointment",
    responses=responses(AppointmentEnvelope),
)
async def get_appointment(request: Request, appointment_id: str) -> Response:
    """An appointment with its attendees, the users and contacts among them, and its notes."""
    out = await service.get(database(request), principal(request), path_id(appointment_id))
    return json_response(out)


@router.put(
    "/appointments/{appointment_id}",
    summary="Update an appointment",
    responses=responses(AppointmentEnvelope),
    openapi_extra=body(AppointmentRequest),
)
async def update_appointment(request: Request, appointment_id: str) -> Response:
    """Change an appointment; attendees sent are added, those sent with `_destroy` removed."""
    return json_response(await write(request, service.update, path_id(appointment_id)))


@router.delete(
    "/appointments/{appointment_id}",
    summary="Delete an appointment",
    responses=responses(AppointmentDeleted),
)
async def delete_appointment(request: Request, appointment_id: str) -> Response:
    """Delete an appointment, with its attendees and notes."""
    return json_response(await write(request, service.delete, path_id(appointment_id)))
