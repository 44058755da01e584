"""/api/documents: files (and links) attached to contacts, accounts, deals, products and
custom modules' records."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Query, Request
from starlette.responses import Response, StreamingResponse

from opensales.config import Settings
from opensales.errors import ERROR_RESPONSES, ErrorEnvelope
from opensales.file import service, upload
from opensales.file.schemas import AssociationsOut, DeletedOut, UploadOut, upload_body
from opensales.kit import jobs, storage
from opensales.kit.coerce import path_id, query_int
from opensales.kit.http import json_response, principal
from opensales.kit.openapi import responses
from opensales.kit.routes import PAGE, RECORD_PATHS, database

router = APIRouter(tags=["Files"])

MAX_PER_PAGE = 100
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorEnvelope, "description": "The file is larger than the limit"},
    503: {"model": ErrorEnvelope, "description": "File storage is unavailable"},
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post(
    "/documents",
    summary="Upload a file to a contact, account, deal, product or module record (or add a link)",
    responses={**responses(UploadOut), **_ERRORS},
    openapi_extra=upload_body(),
)
async def create_document(request: Request) -> Response:
    """multipart/form-data with `file`, `file_name`, `is_shared`, `targetable_id` and
    `targetable_type`; without a file, a `url` (or `link`) adds a link instead."""
    who, db, settings = principal(request), database(request), _settings(request)
    store = storage.of(settings)
    form = await upload.read_form(request, limit=settings.max_upload_bytes, spool=store.spool_dir)
    try:
        if form.file is None:
            async with db.transaction() as tx:
                row = await service.create_link(tx, who, form.fields)
            return json_response({"id": row["id"], "msg": service.LINKED, "url": row["link_url"]})
        row = await service.store_upload(db, who, form, store)
    finally:
        with anyio.CancelScope(shield=True):
            await form.discard()
    sign = await service.signer(db, who, str(request.base_url), settings.download_url_seconds)
    return json_response({"id": row["id"], "msg": service.UPLOADED, "url": sign.url(row)})


PER_PAGE_FILES = Query(None, description="Rows of each kind (default and max 100)")


async def list_associations(
    request: Request, table: str, record_id: str, label: str | None = None
) -> Response:
    """The files and links on the record of `table` with this id (`label` names its kind
    in a 404), as every kind of record lists them."""
    settings = _settings(request)
    number = max(1, min(query_int(request.query_params.get("page"), 1), 10**6))
    per_page = query_int(request.query_params.get("per_page"), MAX_PER_PAGE)
    out = await service.associations(
        database(request),
        principal(request),
        table,
        path_id(record_id),
        number,
        max(1, min(per_page, MAX_PER_PAGE)),
        str(request.base_url),
        settings.download_url_seconds,
        label,
    )
    return json_response(out)


def _add_listing(plural: str, label: str) -> None:
    @router.get(
        f"/{plural}/{{record_id}}/document_associations",
        summary=f"List a {label}'s files and links",
        responses=responses(AssociationsOut),
    )
    async def list_document_associations(
        request: Request,
        record_id: str,
        page: str | None = PAGE,
        per_page: str | None = PER_PAGE_FILES,
    ) -> Response:
        """Files (with signed download URLs) and links, newest first, and their creators."""
        return await list_associations(request, plural, record_id)


for _plural, _label in RECORD_PATHS:
    _add_listing(_plural, _label)


@router.delete(
    "/documents/{file_id}", summary="Delete a file or link", responses=responses(DeletedOut)
)
async def delete_document(request: Request, file_id: str) -> Response:
    """Delete a file (its stored bytes are removed in the background) or a link."""
    who, db = principal(request), database(request)
    locator = storage.locator_of(_settings(request))
    async with db.transaction() as tx:
        row = await service.delete(tx, who, path_id(file_id), locator)
    jobs.wake(db)
    return json_response({"msg": {"id": row["id"], "code": "success"}})


_DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes, as an attachment",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    },
    403: ERROR_RESPONSES[403],
    404: ERROR_RESPONSES[404],
    503: _ERRORS[503],
}


def _disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback, and the exact name in RFC 5987 encoding."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "/documents/{file_id}/download",
    summary="Download a file through its signed link (no API key needed)",
    response_class=Response,
    responses=_DOWNLOAD_RESPONSES,
)
async def download_document(
    request: Request,
    file_id: str,
    expires: str | None = Query(None, description="Unix time the link expires at"),
    signature: str | None = Query(None, description="The link's signature"),
) -> Response:
    """The file's bytes, streamed, as an attachment; 403 for a changed or expired link."""
    db = database(request)
    row = await service.downloadable(db, path_id(file_id), expires, signature)
    found = await storage.of(_settings(request)).open(row["storage_key"])
    headers = {
        "content-type": row["content_type"] or "application/octet-stream",
        "content-length": str(found.size),
        "content-disposition": _disposition(row["name"]),
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, no-store",
    }
    return StreamingResponse(found.chunks, headers=headers)
