"""The HTTP surface every kind of record shares, built once from its service.

Each handler reads its own body (with or without the root key), runs one transaction for a
write, and renders with orjson; the pydantic models generated from the kind's fields feed
the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.db import Database
from opensales.errors import ValidationError
from opensales.kit import recycle_bin, team, timeline, views
from opensales.kit.bulk import add_bulk_upsert_route
from opensales.kit.coerce import path_id, to_id
from opensales.kit.fastpath import Call, FastRoute, route
from opensales.kit.fields import model
from opensales.kit.http import (
    include_handles,
    json_response,
    page_params,
    principal,
    query_flag,
    read_json,
)
from opensales.kit.openapi import body, responses
from opensales.kit.records import RecordService

T = TypeVar("T")

# The record kinds with a path of their own under /api, and how a route's summary names one:
# what hangs under a record (its notes, files, saved views) is routed for each of them.
RECORD_PATHS = (
    ("contacts", "contact"),
    ("sales_accounts", "account"),
    ("deals", "deal"),
    ("leads", "lead"),
)
INCLUDE = Query(None, description="Comma-separated handles to sideload")
SORT = Query(None, description="Field to sort by")
SORT_TYPE = Query(None, description="asc or desc")
PAGE = Query(None, description="Page number, from 1")
PER_PAGE = Query(None, description="Rows per page (default 25, at most 100)")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def call_of(request: Request) -> Call:
    body = await request.body() if request.method in ("POST", "PUT") else b""
    return Call(database(request), principal(request), dict(request.query_params), body)


async def write(request: Request, work: Callable[..., Awaitable[T]], *args: Any) -> T:
    """One write request: `work(tx, who, *args, body)` inside one transaction."""
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        return await work(tx, call.who, *args, data)


def selected_ids(data: dict[str, Any]) -> list[int]:
    raw = data.get("selected_ids")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("Invalid value for selected_ids: must be a non-empty array of ids")
    try:
        ids = [to_id(v) for v in raw]
    except ValueError as exc:
        raise ValidationError(f"Invalid value for selected_ids: {exc}") from None
    if any(i is None for i in ids):
        raise ValidationError("Invalid value for selected_ids: ids must not be blank")
    return list(dict.fromkeys(i for i in ids if i is not None))


def owner_id_of(data: dict[str, Any]) -> int:
    """The `owner_id` a bulk assignment names: an id, and required."""
    try:
        owner_id = to_id(data.get("owner_id"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for owner_id: {exc}") from None
    if owner_id is None:
        raise ValidationError("Invalid value for owner_id: is required")
    return owner_id


class SelectedIds(BaseModel):
    selected_ids: list[int | str]


def _models(service: RecordService) -> dict[str, type[BaseModel]]:
    kind = service.kind
    name = kind.model_class
    sideloads: dict[str, Any] = dict.fromkeys(
        {inc.key for inc in kind.includes.values() if inc.load is not None},
        (list[dict[str, Any]] | None, None),
    )
    rows: Any = list[kind.partial_model]  # type: ignore[name-defined]
    return {
        "envelope": model(
            f"{name}Envelope", {kind.singular: (kind.output_model, ...), **sideloads}
        ),
        "request": model(f"{name}Request", {kind.singular: (kind.input_model | None, None)}),
        "list": model(f"{name}List", {kind.plural: (rows, ...), "meta": (views.Meta, ...)}),
        "bulk": model(f"{name}BulkResult", {kind.plural: (list[dict[str, bool]], ...)}),
        "bulk_assign": model(
            f"{name}BulkAssign",
            {"selected_ids": (list[int | str], ...), "owner_id": (int | str, ...)},
        ),
        "bulk_destroy": model(
            f"{name}BulkDestroy",
            {"delete_associated_contacts_deals": (bool | None, None)},
            base=SelectedIds,
        ),
    }


class RecordHandlers:
    """The record endpoints as plain functions of a Call: FastAPI's routes and the gate's
    fast routes (kit.fastpath) both run these."""

    def __init__(self, service: RecordService) -> None:
        self.service = service
        self.kind = service.kind

    async def create(self, call: Call) -> Any:
        data = read_json(call.body)
        async with call.db.transaction() as tx:
            new_id = await self.service.create(tx, call.who, data)
            return await self.service.get(
                tx, call.who, new_id, include_handles(call.query), scoped=False
            )

    async def get(self, call: Call, record_id: str) -> Any:
        return await self.service.get(
            call.db, call.who, path_id(record_id), include_handles(call.query)
        )

    async def update(self, call: Call, record_id: str) -> Any:
        data = read_json(call.body)
        async with call.db.transaction() as tx:
            row = await self.service.update(tx, call.who, path_id(record_id), data)
            return await self.service.envelope(tx, call.who, row, include_handles(call.query))

    async def view(self, call: Call, view_id: str) -> Any:
        number, size = page_params(call.query)
        rows, count = await views.view_records(
            call.db,
            call.who,
            self.kind,
            path_id(view_id),
            sort=call.query.get("sort"),
            sort_type=call.query.get("sort_type"),
            page=number,
            per_page=size,
        )
        outs = [self.kind.render(r, partial=True) for r in rows]
        await self.service.decorate_partial(call.db, call.who, rows, outs)
        return {self.kind.plural: outs, "meta": views.meta(count, size)}

    def fast_routes(self) -> list[FastRoute]:
        base = f"/api/{self.kind.plural}"
        return [
            route("GET", base + "/{record_id}", self.get),
            route("GET", base + "/view/{view_id}", self.view),
            route("POST", base, self.create),
            route("PUT", base + "/{record_id}", self.update),
        ]


def _add_upsert_route(router: APIRouter, service: RecordService, envelope: Any) -> None:
    kind = service.kind
    request_model = model(
        f"{kind.model_class}Upsert",
        {"unique_identifier": (dict[str, Any], ...), kind.singular: (kind.input_model, ...)},
    )

    @router.post(
        f"/{kind.plural}/upsert",
        summary=f"Update the {kind.label.lower()} a unique identifier names, or create it",
        responses={**responses(envelope), 201: {"model": envelope, "description": "Created"}},
        openapi_extra=body(request_model),
    )
    async def upsert_record(request: Request) -> Response:
        call = await call_of(request)
        data = read_json(call.body)
        attributes = data.get(kind.singular)
        if attributes is None:
            attributes = {k: v for k, v in data.items() if k != "unique_identifier"}
        if not isinstance(attributes, dict):
            raise ValidationError(f"'{kind.singular}' must be an object")
        async with call.db.transaction() as tx:
            record_id, created = await service.upsert(
                tx, call.who, data.get("unique_identifier"), attributes
            )
            out = await service.get(tx, call.who, record_id, scoped=False)
        return json_response(out, status_code=201 if created else 200)


def _add_recycle_bin_routes(
    router: APIRouter, service: RecordService, envelope: Any, bulk: Any
) -> None:
    kind = service.kind
    base = f"/{kind.plural}"

    @router.post(
        f"{base}/bulk_restore",
        summary=f"Restore many {kind.plural} from the bin",
        responses=responses(bulk),
        openapi_extra=body(SelectedIds),
    )
    async def bulk_restore_records(request: Request) -> Response:
        call = await call_of(request)
        ids = selected_ids(read_json(call.body))
        async with call.db.transaction() as tx:
            restored = await recycle_bin.restore(service, tx, call.who, ids)
        return json_response({kind.plural: [{str(i): i in restored} for i in ids]})

    @router.delete(
        f"{base}/recycle_bin",
        summary=f"Empty the {kind.plural} recycle bin (admins)",
        responses=responses(bulk),
    )
    async def empty_recycle_bin(request: Request) -> Response:
        call = await call_of(request)
        async with call.db.transaction() as tx:
            forgotten = await recycle_bin.empty(service, tx, call.who)
        return json_response({kind.plural: [{str(i): True} for i in forgotten]})

    @router.put(
        base + "/{record_id}/restore",
        summary=f"Restore a {kind.label.lower()}",
        responses=responses(envelope),
    )
    async def restore_record(request: Request, record_id: str) -> Response:
        call = await call_of(request)
        async with call.db.transaction() as tx:
            restored = await recycle_bin.restore_one(service, tx, call.who, path_id(record_id))
            out = await service.get(tx, call.who, restored)
        return json_response(out)


def _add_timeline_route(router: APIRouter, service: RecordService) -> None:
    kind = service.kind

    @router.get(
        f"/{kind.plural}/{{record_id}}/activities",
        summary=f"List a {kind.label.lower()}'s activities, newest first",
        responses=responses(timeline.TimelineOut),
    )
    async def list_record_activities(
        request: Request,
        record_id: str,
        include: str | None = Query(None, description="user: sideload the users"),
        limit: str | None = Query(None, description="Entries per page (default 25, at most 100)"),
        page: str | None = PAGE,
    ) -> Response:
        call = await call_of(request)
        out = await service.activities(call.db, call.who, path_id(record_id), call.query)
        return json_response(out)


def record_router(service: RecordService) -> APIRouter:
    """Create, view, update, clone, delete, forget, bulk operations, team and views."""
    kind = service.kind
    handlers = RecordHandlers(service)
    router = APIRouter(tags=[kind.label])
    router.fast_routes = handlers.fast_routes()  # type: ignore[attr-defined]
    base = f"/{kind.plural}"
    m = _models(service)
    label = kind.label.lower()

    @router.post(
        base,
        summary=f"Create a {label}",
        responses=responses(m["envelope"]),
        openapi_extra=body(m["request"]),
    )
    async def create_record(request: Request, include: str | None = INCLUDE) -> Response:
        return json_response(await handlers.create(await call_of(request)))

    @router.get(
        f"{base}/filters", summary=f"List the {label} views", responses=responses(views.FiltersOut)
    )
    async def list_views(
        request: Request, page: str | None = PAGE, per_page: str | None = PER_PAGE
    ) -> Response:
        number, size = page_params(request)
        out = await views.list_filters(database(request), principal(request), kind, number, size)
        return json_response(out)

    @router.get(
        base + "/view/{view_id}",
        summary=f"List the {kind.plural} of a view",
        responses=responses(m["list"]),
    )
    async def list_view_records(
        request: Request,
        view_id: str,
        sort: str | None = SORT,
        sort_type: str | None = SORT_TYPE,
        page: str | None = PAGE,
        per_page: str | None = PER_PAGE,
    ) -> Response:
        return json_response(await handlers.view(await call_of(request), view_id))

    @router.post(
        f"{base}/bulk_destroy",
        summary=f"Delete many {kind.plural}",
        responses=responses(m["bulk"]),
        openapi_extra=body(m["bulk_destroy"]),
    )
    async def bulk_destroy_records(request: Request) -> Response:
        call = await call_of(request)
        data = read_json(call.body)
        ids = selected_ids(data)
        cascade = data.get("delete_associated_contacts_deals") in (True, "true", 1, "1")
        async with call.db.transaction() as tx:
            result = await service.bulk_destroy(tx, call.who, ids, cascade=cascade)
        return json_response({kind.plural: result})

    @router.post(
        f"{base}/bulk_assign_owner",
        summary=f"Assign an owner to many {kind.plural}",
        responses=responses(m["bulk"]),
        openapi_extra=body(m["bulk_assign"]),
    )
    async def bulk_assign_owner(request: Request) -> Response:
        call = await call_of(request)
        data = read_json(call.body)
        ids, owner_id = selected_ids(data), owner_id_of(data)
        async with call.db.transaction() as tx:
            result = await service.assign_owner(tx, call.who, ids, owner_id)
        return json_response({kind.plural: result})

    _add_upsert_route(router, service, m["envelope"])
    _add_recycle_bin_routes(router, service, m["envelope"], m["bulk"])
    _add_timeline_route(router, service)

    @router.get(
        base + "/{record_id}", summary=f"View a {label}", responses=responses(m["envelope"])
    )
    async def get_record(
        request: Request, record_id: str, include: str | None = INCLUDE
    ) -> Response:
        return json_response(await handlers.get(await call_of(request), record_id))

    @router.put(
        base + "/{record_id}",
        summary=f"Update a {label}",
        responses=responses(m["envelope"]),
        openapi_extra=body(m["request"]),
    )
    async def update_record(
        request: Request, record_id: str, include: str | None = INCLUDE
    ) -> Response:
        return json_response(await handlers.update(await call_of(request), record_id))

    @router.delete(base + "/{record_id}", summary=f"Delete a {label}", responses=responses(bool))
    async def delete_record(
        request: Request, record_id: str, delete_associated_contacts_deals: str | None = None
    ) -> Response:
        who = principal(request)
        cascade = query_flag(request, "delete_associated_contacts_deals")
        async with database(request).transaction() as tx:
            row = await service.find(tx, who, path_id(record_id))
            await service.soft_delete(tx, who, [row["id"]], cascade=cascade)
        return json_response(True)

    @router.delete(
        base + "/{record_id}/forget",
        summary=f"Forget a {label} for good",
        responses=responses(bool),
    )
    async def forget_record(request: Request, record_id: str) -> Response:
        who = principal(request)
        async with database(request).transaction() as tx:
            await service.forget(tx, who, path_id(record_id))
        return json_response(True)

    @router.post(
        base + "/{record_id}/clone",
        summary=f"Clone a {label}",
        responses=responses(m["envelope"]),
        openapi_extra=body(m["request"], required=False),
    )
    async def clone_record(request: Request, record_id: str) -> Response:
        call = await call_of(request)
        data = read_json(call.body)
        async with call.db.transaction() as tx:
            new_id = await service.clone(tx, call.who, path_id(record_id), data)
            out = await service.get(tx, call.who, new_id, scoped=False)
        return json_response(out)

    @router.post(
        base + "/{record_id}/manage_team_members",
        summary=f"Add, update or remove {label} team members",
        responses=responses(team.TeamUsersOut),
        openapi_extra=body(team.TeamUsersIn),
    )
    async def manage_team_members(request: Request, record_id: str) -> Response:
        call = await call_of(request)
        data = read_json(call.body)
        async with call.db.transaction() as tx:
            row = await service.find(tx, call.who, path_id(record_id))
            members = await team.manage(tx, call.who, kind.table, row["id"], data.get("team_users"))
        return json_response({"team_users": members})

    add_bulk_upsert_route(router, service)
    return router
