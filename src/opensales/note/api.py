"""/api/notes and /api/{contacts|sales_accounts|deals|leads}/{id}/notes."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, page_params, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import PAGE, PER_PAGE, RECORD_PATHS, database, write
from opensales.note import service
from opensales.note.schemas import NoteEnvelope, NoteIn, NoteList, NoteUpdateIn, render

router = APIRouter(tags=["Notes"])

CREATER = Query(None, description="creater: sideload the notes' writers as users")


@router.post(
    "/notes",
    summary="Create a note",
    responses=responses(NoteEnvelope),
    openapi_extra=body(NoteIn),
)
async def create_note(request: Request) -> Response:
    """Create a note on a contact, account, deal or module record (or an appointment)."""
    row = await write(request, service.create)
    return json_response({"note": render(row)})


@router.get("/notes/{note_id}", summary="View a note", responses=responses(NoteEnvelope))
async def get_note(request: Request, note_id: str, include: str | None = CREATER) -> Response:
    """One note the caller may see."""
    db, who = database(request), principal(request)
    row = await service.find(db, who, path_id(note_id))
    side = await service.sideloads(db, who, [row], request.query_params)
    return json_response({"note": render(row), **side})


@router.put(
    "/notes/{note_id}",
    summary="Update a note",
    responses=responses(NoteEnvelope),
    openapi_extra=body(NoteUpdateIn),
)
async def update_note(request: Request, note_id: str) -> Response:
    """Change a note's text, or move it to another record with `targetable_*`."""
    row = await write(request, service.update, path_id(note_id))
    return json_response({"note": render(row)})


@router.delete("/notes/{note_id}", summary="Delete a note", responses=responses(NoteEnvelope))
async def delete_note(request: Request, note_id: str) -> Response:
    """Delete a note; the answer is the deleted note."""
    who = principal(request)
    async with database(request).transaction() as tx:
        row = await service.delete(tx, who, path_id(note_id))
    return json_response({"note": render(row)})


def _add_record_notes_route(plural: str, table: str, label: str) -> None:
    @router.get(
        f"/{plural}/{{record_id}}/notes",
        summary=f"List a {label}'s notes, newest first",
        responses=responses(NoteList),
        name=f"list_{table}_notes",
    )
    async def list_record_notes(
        request: Request,
        record_id: str,
        include: str | None = CREATER,
        page: str | None = PAGE,
        per_page: str | None = PER_PAGE,
    ) -> Response:
        """The record's notes, newest first; `include=creater` sideloads their writers."""
        number, size = page_params(request)
        out = await service.record_notes(
            database(request),
            principal(request),
            table,
            path_id(record_id),
            number,
            size,
            request.query_params,
        )
        return json_response(out)


for _plural, _label in RECORD_PATHS:
    _add_record_notes_route(_plural, _plural, _label)
