"""/api/settings/{contacts,sales_accounts,deals,sales_activities}/fields."""

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
from opensales.kit.openapi import responses
from opensales.kit.routes import database
from opensales.settings import service

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
