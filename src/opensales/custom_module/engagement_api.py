"""What hangs on a custom module's record, listed as on a contact's: its notes
(`/api/custom_module/{entity_name}/{id}/notes`) and its files and links
(`.../document_associations`), the two links every module record answers with.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opensales.custom_module import service
from opensales.file.api import PER_PAGE_FILES, list_associations
from opensales.file.schemas import AssociationsOut
from opensales.kit import modules
from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, page_params, principal
from opensales.kit.openapi import responses
from opensales.kit.routes import PAGE, PER_PAGE, database
from opensales.note import service as notes
from opensales.note.schemas import NoteList

router = APIRouter(tags=["Custom modules"])
RECORD = "/custom_module/{entity_name}/{record_id}"
CREATER = Query(None, description="creater: sideload the notes' writers as users")


@router.get(
    RECORD + "/notes",
    summary="List a custom module record's notes, newest first",
    responses=responses(NoteList),
)
async def list_record_notes(
    request: Request,
    entity_name: str,
    record_id: str,
    include: str | None = CREATER,
    page: str | None = PAGE,
    per_page: str | None = PER_PAGE,
) -> Response:
    """The record's notes, newest first; `include=creater` sideloads their writers."""
    db, who = database(request), principal(request)
    module = await service.named(db, who, entity_name)
    number, size = page_params(request)
    out = await notes.record_notes(
        db,
        who,
        modules.table_of(who.workspace_id, module["entity_name"]),
        path_id(record_id),
        number,
        size,
        request.query_params,
        module["singular_name"],
    )
    return json_response(out)


@router.get(
    RECORD + "/document_associations",
    summary="List a custom module record's files and links",
    responses=responses(AssociationsOut),
)
async def list_record_documents(
    request: Request,
    entity_name: str,
    record_id: str,
    page: str | None = PAGE,
    per_page: str | None = PER_PAGE_FILES,
) -> Response:
    """Files (with signed download URLs) and links, newest first, and their creators."""
    who = principal(request)
    module = await service.named(database(request), who, entity_name)
    table = modules.table_of(who.workspace_id, module["entity_name"])
    return await list_associations(request, table, record_id, module["singular_name"])
