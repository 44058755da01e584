"""/api/search and /api/lookup: finding records by a few letters, or by one exact value."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.kit.fields import model
from opensales.kit.http import json_response, principal
from opensales.kit.openapi import responses
from opensales.kit.routes import PER_PAGE, database
from opensales.search import lookup, service

router = APIRouter(tags=["Search"])


class Owner(BaseModel):
    id: int
    name: str | None


class SearchResult(BaseModel):
    id: str
    type: str
    name: str | None
    email: str | None
    avatar: str | None
    company_name: str | None
    owner: Owner | None
    updated_at: str | None


LookupResult = model(
    "LookupResult",
    dict.fromkeys(
        ("contacts", "sales_accounts", "deals", "leads"),
        (dict[str, list[dict[str, Any]]] | None, None),
    ),
)


@router.get(
    "/search",
    summary="Search records and users, best first",
    responses=responses(list[SearchResult]),
)
async def search_records(
    request: Request,
    q: str | None = Query(None, description="Words, an email, a phone number, or cf_field:value"),
    include: str | None = Query(
        None, description="contact,sales_account,deal,lead,user and custom modules' entity names"
    ),
    per_page: str | None = PER_PAGE,
) -> Response:
    out = await service.search(database(request), principal(request), request.query_params)
    return json_response(out)


@router.get(
    "/lookup", summary="Records whose one field holds a value", responses=responses(LookupResult)
)
async def lookup_records(
    request: Request,
    q: str | None = Query(None, description="The value"),
    f: str | None = Query(None, description="email, name, mobile_number, work_number, cf_..."),
    entities: str | None = Query(None, description="contact,sales_account,deal,lead"),
) -> Response:
    out = await lookup.lookup(database(request), principal(request), request.query_params)
    return json_response(out)
