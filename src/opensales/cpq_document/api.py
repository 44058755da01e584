"""/api/cpq/cpq_documents: quotes and the other configured document types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.cpq_document.schemas import CpqDocumentEnvelope, CpqDocumentRequest, DeletedOut
from opensales.cpq_document.service import cpq_document_service as service
from opensales.db import Conn
from opensales.kit import recycle_bin
from opensales.kit.coerce import path_id
from opensales.kit.http import include_handles, json_response, principal
from opensales.kit.openapi import body, responses
from opensales.kit.principal import Principal
from opensales.kit.queued_bulk import add_queued_bulk_routes
from opensales.kit.routes import INCLUDE, database, write

router = APIRouter(tags=["CPQ"])
BASE = "/cpq/cpq_documents"

# The fixed bulk paths first: `{id}` routes would take them otherwise.
add_queued_bulk_routes(
    router, service, path=BASE, plural="cpq_documents", restoring_label="documents"
)


def _deleted(record_id: int) -> dict[str, Any]:
    return {"msg": {"id": record_id, "code": "success"}}


@router.post(
    BASE,
    summary="Create a document",
    responses=responses(CpqDocumentEnvelope),
    openapi_extra=body(CpqDocumentRequest),
)
async def create_cpq_document(request: Request, include: str | None = INCLUDE) -> Response:
    """Create a document for a deal and a contact; it comes back with its (empty) products."""
    handles = ["products", *include_handles(request)]

    async def work(tx: Conn, who: Principal, data: dict[str, Any]) -> dict[str, Any]:
        new_id = await service.create(tx, who, data)
        return await service.get(tx, who, new_id, handles, scoped=False)

    return json_response(await write(request, work))


@router.get(
    BASE + "/{record_id}", summary="View a document", responses=responses(CpqDocumentEnvelope)
)
async def get_cpq_document(
    request: Request, record_id: str, include: str | None = INCLUDE
) -> Response:
    """A document; `include=products` nests its line items."""
    out = await service.get(
        database(request), principal(request), path_id(record_id), include_handles(request)
    )
    return json_response(out)


@router.put(
    BASE + "/{record_id}",
    summary="Update a document",
    responses=responses(CpqDocumentEnvelope),
    openapi_extra=body(CpqDocumentRequest),
)
async def update_cpq_document(
    request: Request, record_id: str, include: str | None = INCLUDE
) -> Response:
    """Update a document; `products` replaces its whole set of line items."""
    handles = include_handles(request)

    async def work(tx: Conn, who: Principal, data: dict[str, Any]) -> dict[str, Any]:
        row = await service.update(tx, who, path_id(record_id), data)
        return await service.envelope(tx, who, row, handles)

    return json_response(await write(request, work))


@router.delete(BASE + "/{record_id}", summary="Delete a document", responses=responses(DeletedOut))
async def delete_cpq_document(request: Request, record_id: str) -> Response:
    """Move a document to the recycle bin."""
    who = principal(request)
    async with database(request).transaction() as tx:
        row = await service.find(tx, who, path_id(record_id))
        await service.soft_delete(tx, who, [row["id"]])
    return json_response(_deleted(row["id"]))


@router.put(
    BASE + "/{record_id}/restore",
    summary="Restore a document",
    responses=responses(CpqDocumentEnvelope),
)
async def restore_cpq_document(request: Request, record_id: str) -> Response:
    """Bring a document back from the recycle bin."""
    who = principal(request)
    async with database(request).transaction() as tx:
        restored = await recycle_bin.restore_one(service, tx, who, path_id(record_id))
        out = await service.get(tx, who, restored)
    return json_response(out)


@router.delete(
    BASE + "/{record_id}/forget",
    summary="Forget a document for good",
    responses=responses(DeletedOut),
)
async def forget_cpq_document(request: Request, record_id: str) -> Response:
    """Delete a document for good, with its line items (from the recycle bin too)."""
    who = principal(request)
    found = path_id(record_id)
    async with database(request).transaction() as tx:
        await service.forget(tx, who, found)
    return json_response(_deleted(found or 0))
