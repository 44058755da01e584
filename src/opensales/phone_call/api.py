"""/api/phone_calls: calls logged by hand."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import database, write
from opensales.phone_call import service
from opensales.phone_call.schemas import PhoneCallEnvelope, PhoneCallIn

router = APIRouter(tags=["Phone calls"])


@router.post(
    "/phone_calls",
    summary="Log a call",
    responses=responses(PhoneCallEnvelope),
    openapi_extra=body(PhoneCallIn),
)
async def create_phone_call(request: Request) -> Response:
    """Log a call with an existing contact or account, or a new contact created on the fly."""
    return json_response(await write(request, service.create))


@router.get(
    "/phone_calls/{call_id}", summary="View a logged call", responses=responses(PhoneCallEnvelope)
)
async def get_phone_call(request: Request, call_id: str) -> Response:
    """A logged call, in the shape its creation answered."""
    return json_response(await service.get(database(request), principal(request), path_id(call_id)))
