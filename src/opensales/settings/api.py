"""/api/settings/{entity}/fields (the fields API) and /api/settings/{entity}/forms (the forms
API: sections and fields, and admins' writes of custom fields)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.account.kind import ACCOUNT
from opensales.contact.kind import CONTACT
from opensales.custom_module import service as custom_modules
from opensales.custom_module.kind import model_class
from opensales.db import Conn
from opensales.deal.kind import DEAL
from opensales.errors import NotFoundError
from opensales.kit import modules
from opensales.kit.http import include_handles, json_response, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import database, write
from opensales.lead.kind import LEAD
from opensales.settings import field_admin, forms, service
from opensales.settings.schemas import FieldEnvelope, FieldRequest, FormsOut, MessageOut

router = APIRouter(tags=["Settings"])
# entity (as the path names it) -> base_model of its fields
ENTITIES = {
    **{k.table: k.model_class for k in (CONTACT, ACCOUNT, DEAL, LEAD)},
    "sales_activities": "SalesActivity",
    "products": "Product",
    "cpq_documents": "CpqDocument",
}


class FieldOut(BaseModel):
    id: int
    label: str
    name: str
    type: str
    default: bool
    actionable: bool
    position: int
    choices: list[dict[str, Any]]
    base_model: str
    required: bool
    # Sales activity fields only.
    quick_add_position: int | None = None
    visible: bool | None = None
    auto_suggest_url: str | None = None


class FieldsOut(BaseModel):
    fields: list[FieldOut]
    field_groups: list[dict[str, Any]] | None = None


@router.get(
    "/settings/{entity_type}/fields",
    summary="List the fields of a kind of record",
    responses=responses(FieldsOut),
)
async def list_fields(
    request: Request, entity_type: str, include: str | None = Query(None, description="field_group")
) -> Response:
    """The fields of contacts, sales accounts, deals, sales activities, products, documents
    or a custom module (by its entity name)."""
    db = database(request)
    table, base_model = await _entity(db, principal(request).workspace_id, entity_type)
    with_group = "field_group" in include_handles(request)
    out = await service.list_fields(db, principal(request), table, base_model, with_group)
    return json_response(out)


async def _entity(conn: Conn, workspace_id: int, entity_type: str) -> tuple[str, str]:
    """The table whose fields a path's entity type names, and their base model."""
    base_model = ENTITIES.get(entity_type)
    if base_model is not None:
        return entity_type, base_model
    module = await custom_modules.by_entity(conn, workspace_id, entity_type)
    if module is None:
        raise NotFoundError(f"Unknown entity type: {entity_type[:60]}")
    return modules.table_of(workspace_id, entity_type), model_class(module)


async def _entities(conn: Conn, workspace_id: int) -> dict[str, str]:
    """Every entity with a form, as paths name them, and their tables."""
    found = {e: e for e in ENTITIES}
    for module in await custom_modules.all_modules(conn, workspace_id):
        found[module["entity_name"]] = modules.table_of(workspace_id, module["entity_name"])
    return found


@router.get(
    "/settings/{entity_type}/forms",
    summary="List the forms of a kind of record",
    responses=responses(FormsOut),
)
async def list_forms(request: Request, entity_type: str) -> Response:
    """The entity's form: its sections, each with its fields (default and custom)."""
    db, who = database(request), principal(request)
    table, base_model = await _entity(db, who.workspace_id, entity_type)
    entities = await _entities(db, who.workspace_id)
    return json_response(await forms.list_forms(db, who, table, base_model, entities))


FIELDS_PATH = "/settings/{entity_type}/forms/{form_id}/fields"


@router.post(
    FIELDS_PATH,
    summary="Create a custom field (admins)",
    responses=responses(FieldEnvelope),
    openapi_extra=body(FieldRequest),
)
async def create_field(request: Request, entity_type: str, form_id: str) -> Response:
    """Add a custom field to a form; `form_id` is the form's id (or 1)."""
    table, base_model = await _entity(
        database(request), principal(request).workspace_id, entity_type
    )
    out = await write(request, field_admin.create_field, table, base_model, form_id)
    return json_response(out)


@router.put(
    FIELDS_PATH + "/{field_id}",
    summary="Update or reorder a field (admins)",
    responses=responses(FieldEnvelope),
    openapi_extra=body(FieldRequest),
)
async def update_field(request: Request, entity_type: str, form_id: str, field_id: str) -> Response:
    """Change a field's label, flags, position, section, choices or options."""
    table, base_model = await _entity(
        database(request), principal(request).workspace_id, entity_type
    )
    out = await write(request, field_admin.update_field, table, base_model, form_id, field_id)
    return json_response(out)


@router.delete(
    FIELDS_PATH + "/{field_id}",
    summary="Delete a custom field and its values (admins)",
    responses=responses(MessageOut),
)
async def delete_field(request: Request, entity_type: str, form_id: str, field_id: str) -> Response:
    """Remove a custom field and its values on every record of the entity."""
    db, who = database(request), principal(request)
    table, base_model = await _entity(db, who.workspace_id, entity_type)
    async with db.transaction() as tx:
        out = await field_admin.delete_field(tx, who, table, base_model, form_id, field_id)
    return json_response(out)
