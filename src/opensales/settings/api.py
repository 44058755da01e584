"""/api/settings/{contacts,sales_accounts,deals}/fields."""

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
KINDS = {k.table: k for k in (CONTACT, ACCOUNT, DEAL)}


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
    kind = KINDS.get(entity_type)
    if kind is None:
        raise NotFoundError(f"Unknown entity type: {entity_type}")
    with_group = "field_group" in include_handles(request)
    out = await service.list_fields(database(request), principal(request), kind, with_group)
    return json_response(out)
