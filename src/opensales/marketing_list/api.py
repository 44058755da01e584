"""/api/lists and /api/contacts/lists/{id}: marketing lists and their contacts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit import jobs
from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, page_params, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import PAGE, PER_PAGE, database, write
from opensales.marketing_list import service
from opensales.marketing_list.schemas import (
    ContactIdsIn,
    ListContacts,
    ListEnvelope,
    ListIn,
    ListPage,
    MessageOut,
    MoveContactsIn,
    RemoveContactsIn,
)

router = APIRouter(tags=["Marketing lists"])


@router.post(
    "/lists", summary="Create a list", responses=responses(ListEnvelope), openapi_extra=body(ListIn)
)
async def create_list(request: Request) -> Response:
    """Create a marketing list; the body has no root key: `{"name": ...}`."""
    row = await write(request, service.create)
    return json_response({"list": service.render(row)})


@router.get("/lists", summary="Fetch all lists", responses=responses(ListPage))
async def list_lists(
    request: Request, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    """Every marketing list of the workspace, oldest first."""
    number, size = page_params(request)
    return json_response(await service.page(database(request), principal(request), number, size))


@router.put(
    "/lists/{list_id}",
    summary="Rename a list",
    responses=responses(ListEnvelope),
    openapi_extra=body(ListIn),
)
async def update_list(request: Request, list_id: str) -> Response:
    """Rename a marketing list."""
    row = await write(request, service.rename, path_id(list_id))
    return json_response({"list": service.render(row)})


@router.delete("/lists/{list_id}", summary="Delete a list", responses=responses(bool))
async def delete_list(request: Request, list_id: str) -> Response:
    """Delete a marketing list; its contacts stay, only their membership goes."""
    who = principal(request)
    async with database(request).transaction() as tx:
        await service.delete(tx, who, path_id(list_id))
    return json_response(True)


@router.get(
    "/contacts/lists/{list_id}",
    summary="Fetch all contacts of a list",
    responses=responses(ListContacts),
)
async def list_list_contacts(
    request: Request, list_id: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    """Full records of the list's contacts that the caller may see."""
    number, size = page_params(request)
    out = await service.contacts(
        database(request), principal(request), path_id(list_id), number, size
    )
    return json_response(out)


@router.put(
    "/lists/{list_id}/add_contacts",
    summary="Add (copy) contacts to a list",
    responses=responses(MessageOut),
    openapi_extra=body(ContactIdsIn),
)
async def add_list_contacts(request: Request, list_id: str) -> Response:
    """Add contacts to a list; every id must be a contact the caller may see."""
    out = await write(request, service.add_contacts, path_id(list_id))
    return json_response(out)


@router.put(
    "/lists/{list_id}/remove_contacts",
    summary="Remove contacts from a list",
    responses=responses(MessageOut),
    openapi_extra=body(RemoveContactsIn),
)
async def remove_list_contacts(request: Request, list_id: str) -> Response:
    """Remove `ids` from a list, or every contact with `{"all": true}`."""
    out = await write(request, service.remove_contacts, path_id(list_id))
    return json_response(out)


@router.put(
    "/lists/{list_id}/move_contacts",
    summary="Move contacts from another list into this one",
    responses=responses(MessageOut),
    openapi_extra=body(MoveContactsIn),
)
async def move_list_contacts(request: Request, list_id: str) -> Response:
    """Move `ids` (or every contact) of `from_list_id` into this list, in the background."""
    await write(request, service.queue_move, path_id(list_id))
    jobs.wake(database(request))
    return json_response({"message": service.MOVE_MESSAGE})
