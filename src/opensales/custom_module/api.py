"""/api/settings/module_customizations (the modules), and their records under
/api/custom_module/{entity_name} with their views at /api/{entity_name}/filters.

Record routes resolve the module by its entity name, then run the shared record service and
views engine (kit/) over the module's table, answering in the reference's shapes.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.custom_module import service
from opensales.custom_module.records import ModuleRecords, records_of
from opensales.custom_module.schemas import (
    MessageOut,
    ModuleEnvelope,
    ModuleFiltersOut,
    ModuleList,
    ModuleRequest,
    RecordEnvelope,
    RecordList,
    RecordRequest,
    SelectedIds,
)
from opensales.db import Conn
from opensales.kit import recycle_bin, timeline, views
from opensales.kit.coerce import path_id
from opensales.kit.fastpath import Call
from opensales.kit.http import json_response, page_params, principal, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.principal import Principal
from opensales.kit.routes import (
    INCLUDE,
    PAGE,
    PER_PAGE,
    SORT,
    SORT_TYPE,
    RecordHandlers,
    call_of,
    database,
    selected_ids,
    write,
)

router = APIRouter(tags=["Custom modules"])
MODULES = "/settings/module_customizations"
RECORDS = "/custom_module/{entity_name}"


# --- the modules --------------------------------------------------------------------------


@router.post(
    MODULES,
    summary="Create a custom module (admins)",
    responses=responses(ModuleEnvelope),
    openapi_extra=body(ModuleRequest),
)
async def create_module(request: Request) -> Response:
    """A new module with its default form and views; at most 10 per workspace."""
    row = await write(request, service.create)
    return json_response({"module_customization": service.render(row)})


@router.get(MODULES, summary="List the custom modules", responses=responses(ModuleList))
async def list_modules(request: Request) -> Response:
    rows = await service.all_modules(database(request), principal(request).workspace_id)
    return json_response({"module_customizations": [service.render(r) for r in rows]})


@router.get(
    MODULES + "/{module_id}", summary="View a custom module", responses=responses(ModuleEnvelope)
)
async def get_module(request: Request, module_id: str) -> Response:
    row = await service.find(database(request), principal(request), module_id)
    return json_response({"module_customization": service.render(row)})


@router.put(
    MODULES + "/{module_id}",
    summary="Update a custom module (admins)",
    responses=responses(ModuleEnvelope),
    openapi_extra=body(ModuleRequest),
)
async def update_module(request: Request, module_id: str) -> Response:
    row = await write(request, service.update, module_id)
    return json_response({"module_customization": service.render(row)})


@router.delete(
    MODULES + "/{module_id}",
    summary="Delete a custom module, its records, forms and views (admins)",
    responses=responses(MessageOut),
)
async def delete_module(request: Request, module_id: str) -> Response:
    async with database(request).transaction() as tx:
        await service.delete(tx, principal(request), module_id)
    return json_response({"message": "Module deleted successfully"})


# --- their records ------------------------------------------------------------------------


async def records(conn: Conn, who: Principal, entity_name: str) -> ModuleRecords:
    return records_of(await service.named(conn, who, entity_name))


async def _handlers(request: Request, entity_name: str) -> tuple[Call, RecordHandlers]:
    call = await call_of(request)
    return call, RecordHandlers(await records(call.db, call.who, entity_name))


@router.post(
    RECORDS,
    summary="Create a record of a custom module",
    responses=responses(RecordEnvelope),
    openapi_extra=body(RecordRequest),
)
async def create_record(
    request: Request, entity_name: str, include: str | None = INCLUDE
) -> Response:
    """The body's root key is the module's entity name (`{"cm_property": {...}}`)."""
    call, handlers = await _handlers(request, entity_name)
    return json_response(await handlers.create(call))


async def _filters(request: Request, entity_name: str) -> Response:
    db, who = database(request), principal(request)
    kind = (await records(db, who, entity_name)).kind
    number, size = page_params(request)
    return json_response(await views.list_filters(db, who, kind, number, size))


@router.get(
    "/{entity_name}/filters",
    summary="List a custom module's views",
    responses=responses(ModuleFiltersOut),
)
async def list_module_views(
    request: Request, entity_name: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    """`/api/cm_property/filters` (no `custom_module/` segment, as the reference has it)."""
    return await _filters(request, entity_name)


@router.get(
    RECORDS + "/filters",
    summary="List a custom module's views",
    responses=responses(ModuleFiltersOut),
)
async def list_module_views_nested(
    request: Request, entity_name: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    return await _filters(request, entity_name)


@router.get(
    RECORDS + "/view/{view_id}",
    summary="List the records of a custom module's view",
    responses=responses(RecordList),
)
async def list_view_records(
    request: Request,
    entity_name: str,
    view_id: str,
    sort: str | None = SORT,
    sort_type: str | None = SORT_TYPE,
    page: str | None = PAGE,
    per_page: str | None = PER_PAGE,
) -> Response:
    call, handlers = await _handlers(request, entity_name)
    out = await handlers.view(call, view_id)
    rows = out[handlers.kind.plural]
    out["meta"]["avatar_data"] = {handlers.kind.model_class: {str(r["id"]): None for r in rows}}
    return json_response(out)


@router.post(
    RECORDS + "/bulk_destroy",
    summary="Delete many records of a custom module",
    responses=responses(MessageOut),
    openapi_extra=body(SelectedIds),
)
async def bulk_destroy_records(request: Request, entity_name: str) -> Response:
    """Answers `{"message": "2 Properties deleted."}`: the plural name counts them."""
    call = await call_of(request)
    ids = selected_ids(read_json(call.body))
    async with call.db.transaction() as tx:
        module = await service.named(tx, call.who, entity_name)
        deleted = await records_of(module).soft_delete(tx, call.who, ids)
    return json_response({"message": f"{len(deleted)} {module['plural_name']} deleted."})


@router.post(
    RECORDS + "/bulk_restore",
    summary="Restore many records of a custom module from the bin",
    responses=responses(dict[str, list[dict[str, bool]]]),
    openapi_extra=body(SelectedIds),
)
async def bulk_restore_records(request: Request, entity_name: str) -> Response:
    call = await call_of(request)
    ids = selected_ids(read_json(call.body))
    async with call.db.transaction() as tx:
        module_records = await records(tx, call.who, entity_name)
        restored = await recycle_bin.restore(module_records, tx, call.who, ids)
    return json_response({entity_name: [{str(i): i in restored} for i in ids]})


@router.get(
    RECORDS + "/{record_id}",
    summary="View a record of a custom module",
    responses=responses(RecordEnvelope),
)
async def get_record(
    request: Request, entity_name: str, record_id: str, include: str | None = INCLUDE
) -> Response:
    call, handlers = await _handlers(request, entity_name)
    return json_response(await handlers.get(call, record_id))


@router.put(
    RECORDS + "/{record_id}",
    summary="Update a record of a custom module",
    responses=responses(RecordEnvelope),
    openapi_extra=body(RecordRequest),
)
async def update_record(
    request: Request, entity_name: str, record_id: str, include: str | None = INCLUDE
) -> Response:
    call, handlers = await _handlers(request, entity_name)
    return json_response(await handlers.update(call, record_id))


@router.delete(
    RECORDS + "/{record_id}",
    summary="Delete a record of a custom module (to the recycle bin)",
    responses=responses(MessageOut),
)
async def delete_record(request: Request, entity_name: str, record_id: str) -> Response:
    """Answers `{"message": "cm_property deleted successfully."}`."""
    who = principal(request)
    async with database(request).transaction() as tx:
        module_records = await records(tx, who, entity_name)
        row = await module_records.find(tx, who, path_id(record_id))
        await module_records.soft_delete(tx, who, [row["id"]])
    return json_response({"message": f"{entity_name} deleted successfully."})


@router.put(
    RECORDS + "/{record_id}/restore",
    summary="Restore a record of a custom module",
    responses=responses(RecordEnvelope),
)
async def restore_record(request: Request, entity_name: str, record_id: str) -> Response:
    who = principal(request)
    async with database(request).transaction() as tx:
        module_records = await records(tx, who, entity_name)
        restored = await recycle_bin.restore_one(module_records, tx, who, path_id(record_id))
        out = await module_records.get(tx, who, restored)
    return json_response(out)


@router.delete(
    RECORDS + "/{record_id}/forget",
    summary="Forget a record of a custom module for good",
    responses=responses(bool),
)
async def forget_record(request: Request, entity_name: str, record_id: str) -> Response:
    """Answers `true` (the reference prints `True`, which is not JSON)."""
    who = principal(request)
    async with database(request).transaction() as tx:
        module_records = await records(tx, who, entity_name)
        await module_records.forget(tx, who, path_id(record_id))
    return json_response(True)


@router.post(
    RECORDS + "/{record_id}/clone",
    summary="Clone a record of a custom module",
    responses=responses(RecordEnvelope),
    openapi_extra=body(RecordRequest, required=False),
)
async def clone_record(request: Request, entity_name: str, record_id: str) -> Response:
    """A copy with the body's attributes (root key: the entity name) over the source's."""
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        module_records = await records(tx, call.who, entity_name)
        new_id = await module_records.clone(tx, call.who, path_id(record_id), data)
        out = await module_records.get(tx, call.who, new_id, scoped=False)
    return json_response(out)


@router.get(
    RECORDS + "/{record_id}/activities",
    summary="List a custom module record's activities, newest first",
    responses=responses(timeline.TimelineOut),
)
async def list_record_activities(
    request: Request, entity_name: str, record_id: str, page: str | None = PAGE
) -> Response:
    call = await call_of(request)
    module_records = await records(call.db, call.who, entity_name)
    out = await module_records.activities(call.db, call.who, path_id(record_id), call.query)
    return json_response(out)
