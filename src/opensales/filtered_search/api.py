"""/api/filtered_search/{entity}: records that match a list of conditions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.filtered_search import service
from opensales.filtered_search.kinds import record_service
from opensales.filtered_search.schemas import FilteredSearchOut, FilteredSearchRequest
from opensales.kit.http import json_response, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.routes import call_of

router = APIRouter(tags=["Search"])


@router.post(
    "/filtered_search/{entity}",
    summary="Records that match every rule of filter_rule",
    responses=responses(FilteredSearchOut),
    openapi_extra=body(FilteredSearchRequest),
)
async def filtered_search(request: Request, entity: str) -> Response:
    """`entity`: contact, sales_account, deal (or their plurals) or a module's entity name."""
    call = await call_of(request)
    data = read_json(call.body)
    records = await record_service(call.db, call.who, entity)
    return json_response(await service.search(call.db, call.who, records, data))
