"""/api/settings/{entity}/fields (the fields API) and /api/settings/{entity}/forms (the forms
API: sections and fields, and admins' writes of custom fields)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.account.kind import ACCOUNT
from opensales.contact.kind import CONTACT
from opensales.deal.kind import DEAL
from opensales.errors import NotFoundError
from opensales.kit.http import include_handles, json_response, principal
from opensales.kit.openapi import body, responses
from opensales.kit.routes import database, write
from opensales.settings import field_admin, forms, service
from opensales.settings.schemas import FieldEnvelope, FieldRequest, FormsOut, MessageOut

router = APIRouter(tags=["Settings"])
# entity (as the path names it) -> base_model of its fields
ENTITIES = {
    **{k.table: k.model_class for k in (CONTACT, ACCOUNT, DEAL)},
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
    """The fields of contacts, sales accounts, deals or sales activities."""
    base_model = ENTITIES.get(entity_type)
    if base_model is None:
        raise NotFoundError(f"Unknown entity type: {entity_type}")
    with_group = "field_group" in include_handles(request)
    out = await service.list_fields(
        database(request), principal(request), entity_type, base_model, with_group
    )
    return json_response(out)


def _base_model(entity_type: str) -> str:
    base_model = ENTITIES.get(entity_type)
    if base_model is None:
        raise NotFoundError(f"Unknown entity type: {entity_type}")
    return base_model


@router.get(
    "/settings/{entity_type}/forms",
    summary="List the forms of a kind of record",
    responses=responses(FormsOut),
)
async def list_forms(request: Request, entity_type: str) -> Response:
    """The entity's form: its sections, each with its fields (default and custom)."""
    out = await forms.list_forms(
        database(request), principal(request), entity_type, _base_model(entity_type), list(ENTITIES)
    )
    return json_response(out)


FIELDS_PATH = "/settings/{entity_type}/forms/{form_id}/fields"


@router.post(
    FIELDS_PATH,
    summary="Create a custom field (admins)",
    responses=responses(FieldEnvelope),
    openapi_extra=body(FieldRequest),
)
async def create_field(request: Request, entity_type: str, form_id: str) -> Response:
    """Add a custom field to a form; `form_id` is the form's id (or 1)."""
    base_model = _base_model(entity_type)
    out = await write(request, field_admin.create_field, entity_type, base_model, form_id)
    return json_response(out)


@router.put(
    FIELDS_PATH + "/{field_id}",
    summary="Update or reorder a field (admins)",
    responses=responses(FieldEnvelope),
    openapi_extra=body(FieldRequest),
)
async def update_field(request: Request, entity_type: str, form_id: str, field_id: str) -> Response:
    """Change a field's label, flags, position, section, choices or options."""
    base_model = _base_model(entity_type)
    out = await write(request, field_admin.update_field, entity_type, base_model, form_id, field_id)
    return json_response(out)


@router.delete(
    FIELDS_PATH + "/{field_id}",
    summary="Delete a custom field and its values (admins)",
    responses=responses(MessageOut),
)
async def delete_field(request: Request, entity_type: str, form_id: str, field_id: str) -> Response:
    """Remove a custom field and its values on every record of the entity."""
    base_model = _base_model(entity_type)
    async with database(request).transaction() as tx:
        out = await field_admin.delete_field(
            tx, principal(request), entity_type, base_model, form_id, field_id
        )
    return json_response(out)
