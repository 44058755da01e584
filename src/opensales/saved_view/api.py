"""Saved views: `POST /api/{contacts|sales_accounts|deals|leads}/filters`, `PUT` and `DELETE
.../filters/{id}`, and the same under a custom module's entity name (`/api/cm_property/filters`,
`/api/custom_module/cm_property/filters`). Listing them and their records is kit/routes.py's
(`/filters`, `/view/{id}`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.custom_module import service as module_service
from opensales.custom_module.records import records_of
from opensales.filtered_search.kinds import SERVICES
from opensales.kit.coerce import path_id
from opensales.kit.fastpath import Call
from opensales.kit.http import json_response, read_json
from opensales.kit.kind import Kind
from opensales.kit.openapi import body, responses
from opensales.kit.routes import RECORD_PATHS, call_of
from opensales.kit.views import render_filter
from opensales.saved_view import service
from opensales.saved_view.schemas import FilterEnvelope, FilterRequest

# Before the record routers (kit/routes.py); `module_router` goes just before the custom
# module router, whose /{entity_name}/... paths would catch any other resource's.
router = APIRouter(tags=["Saved views"])
module_router = APIRouter(tags=["Saved views"])


async def _kind(call: Call, entity: str | None, entity_name: str | None) -> Kind:
    """The kind a path names: one of SERVICES (`entity`), or a module (`entity_name`)."""
    if entity is not None:
        return SERVICES[entity].kind
    return records_of(await module_service.named(call.db, call.who, str(entity_name))).kind


async def _create(request: Request, entity: str | None, entity_name: str | None) -> Response:
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        kind = await _kind(call, entity, entity_name)
        row = await service.create(tx, call.who, kind, data)
    return json_response({"filter": render_filter(kind, row)})


async def _update(
    request: Request, entity: str | None, entity_name: str | None, view_id: str
) -> Response:
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        kind = await _kind(call, entity, entity_name)
        row = await service.update(tx, call.who, kind, path_id(view_id), data)
    return json_response({"filter": render_filter(kind, row)})


async def _delete(
    request: Request, entity: str | None, entity_name: str | None, view_id: str
) -> Response:
    call = await call_of(request)
    async with call.db.transaction() as tx:
        kind = await _kind(call, entity, entity_name)
        await service.delete(tx, call.who, kind, path_id(view_id))
    return json_response(True)


def _add_record_routes(plural: str) -> None:
    base = f"/{plural}/filters"

    @router.post(
        base,
        summary=f"Save a view of {plural}",
        responses=responses(FilterEnvelope),
        openapi_extra=body(FilterRequest),
    )
    async def create_view(request: Request) -> Response:
        return await _create(request, plural, None)

    @router.put(
        base + "/{view_id}",
        summary=f"Rename or change a saved view of {plural}",
        responses=responses(FilterEnvelope),
        openapi_extra=body(FilterRequest),
    )
    async def update_view(request: Request, view_id: str) -> Response:
        return await _update(request, plural, None, view_id)

    @router.delete(
        base + "/{view_id}",
        summary=f"Delete a saved view of {plural}",
        responses=responses(bool),
    )
    async def delete_view(request: Request, view_id: str) -> Response:
        return await _delete(request, plural, None, view_id)


def _add_module_routes(base: str) -> None:
    @module_router.post(
        base,
        summary="Save a view of a custom module's records",
        responses=responses(FilterEnvelope),
        openapi_extra=body(FilterRequest),
    )
    async def create_module_view(request: Request, entity_name: str) -> Response:
        return await _create(request, None, entity_name)

    @module_router.put(
        base + "/{view_id}",
        summary="Rename or change a saved view of a custom module's records",
        responses=responses(FilterEnvelope),
        openapi_extra=body(FilterRequest),
    )
    async def update_module_view(request: Request, entity_name: str, view_id: str) -> Response:
        return await _update(request, None, entity_name, view_id)

    @module_router.delete(
        base + "/{view_id}",
        summary="Delete a saved view of a custom module's records",
        responses=responses(bool),
    )
    async def delete_module_view(request: Request, entity_name: str, view_id: str) -> Response:
        return await _delete(request, None, entity_name, view_id)


for _plural, _ in RECORD_PATHS:
    _add_record_routes(_plural)
# As the module's own routes have it: with and without the `custom_module/` segment.
for _base in ("/{entity_name}/filters", "/custom_module/{entity_name}/filters"):
    _add_module_routes(_base)
