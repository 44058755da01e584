"""The HTTP surface every kind of record shares, built once from its service.

Each handler reads its own body (with or without the root key), runs one transaction for a
write, and renders with orjson; the pydantic models generated from the kind's fields feed
the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, create_model
from starlette.responses import Response

from opensales.db import Database
from opensales.errors import ValidationError
from opensales.kit import team, views
from opensales.kit.coerce import path_id, to_id
from opensales.kit.http import include_handles, json_body, json_response, page_params, principal
from opensales.kit.openapi import body, responses
from opensales.kit.records import RecordService

INCLUDE = Query(None, description="Comma-separated handles to sideload")
SORT = Query(None, description="Field to sort by")
SORT_TYPE = Query(None, description="asc or desc")
PAGE = Query(None, description="Page number, from 1")
PER_PAGE = Query(None, description="Rows per page (default 25, at most 100)")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _selected_ids(data: dict[str, Any]) -> list[int]:
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


class SelectedIds(BaseModel):
    selected_ids: list[int | str]


def _models(service: RecordService) -> dict[str, type[BaseModel]]:
    kind = service.kind
    sideloads: dict[str, Any] = dict.fromkeys({inc.key for inc in kind.includes.values() if inc.load is not None}, (list[dict[str, Any]] | None, None))
    return {
        "envelope": create_model(
            f"{kind.model_class}Envelope", **{kind.singular: (kind.output_model, ...)}, **sideloads
        ),
        "request": create_model(
            f"{kind.model_class}Request", **{kind.singular: (kind.input_model | None, None)}
        ),
        "list": create_model(
            f"{kind.model_class}List",
            **{kind.plural: (list[kind.partial_model], ...), "meta": (views.Meta, ...)},
        ),  # type: ignore[name-defined]
        "bulk": create_model(
            f"{kind.model_class}BulkResult", **{kind.plural: (list[dict[str, bool]], ...)}
        ),
        "bulk_assign": create_model(
            f"{kind.model_class}BulkAssign",
            selected_ids=(list[int | str], ...),
            owner_id=(int | str, ...),
        ),
        "bulk_destroy": create_model(
            f"{kind.model_class}BulkDestroy",
            __base__=SelectedIds,
            delete_associated_contacts_deals=(bool | None, None),
        ),
    }


def record_router(service: RecordService) -> APIRouter:
    """Create, view, update, clone, delete, forget, bulk operations, team and views."""
    kind = service.kind
    router = APIRouter(tags=[kind.label])
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
        who, data = principal(request), await json_body(request)
        async with database(request).transaction() as tx:
            new_id = await service.create(tx, who, data)
            out = await service.get(tx, who, new_id, include_handles(request), scoped=False)
        return json_response(out)

    @router.get(
        f"{base}/filters", summary=f"List the {label} views", responses=responses(views.FiltersOut)
    )
    async def list_views(
        request: Request, page: str | None = PAGE, per_page: str | None = PER_PAGE
    ) -> Response:
        who = principal(request)
        number, size = page_params(request)
        out = await views.list_filters(database(request), who, kind, number, size)
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
        who = principal(request)
        number, size = page_params(request)
        rows, count = await views.view_records(
            database(request),
            who,
            kind,
            path_id(view_id),
            sort=sort,
            sort_type=sort_type,
            page=number,
            per_page=size,
        )
        outs = [kind.render(r, partial=True) for r in rows]
        await service.decorate_partial(database(request), who, rows, outs)
        return json_response({kind.plural: outs, "meta": views.meta(count, size)})

    @router.post(
        f"{base}/bulk_destroy",
        summary=f"Delete many {kind.plural}",
        responses=responses(m["bulk"]),
        openapi_extra=body(m["bulk_destroy"]),
    )
    async def bulk_destroy_records(request: Request) -> Response:
        who, data = principal(request), await json_body(request)
        ids = _selected_ids(data)
        cascade = data.get("delete_associated_contacts_deals") in (True, "true", 1, "1")
        async with database(request).transaction() as tx:
            result = await service.bulk_destroy(tx, who, ids, cascade=cascade)
        return json_response({kind.plural: result})

    @router.post(
        f"{base}/bulk_assign_owner",
        summary=f"Assign an owner to many {kind.plural}",
        responses=responses(m["bulk"]),
        openapi_extra=body(m["bulk_assign"]),
    )
    async def bulk_assign_owner(request: Request) -> Response:
        who, data = principal(request), await json_body(request)
        ids = _selected_ids(data)
        try:
            owner_id = to_id(data.get("owner_id"))
        except ValueError as exc:
            raise ValidationError(f"Invalid value for owner_id: {exc}") from None
        if owner_id is None:
            raise ValidationError("Invalid value for owner_id: is required")
        async with database(request).transaction() as tx:
            result = await service.assign_owner(tx, who, ids, owner_id)
        return json_response({kind.plural: result})

    @router.get(
        base + "/{record_id}", summary=f"View a {label}", responses=responses(m["envelope"])
    )
    async def get_record(
        request: Request, record_id: str, include: str | None = INCLUDE
    ) -> Response:
        out = await service.get(
            database(request), principal(request), path_id(record_id), include_handles(request)
        )
        return json_response(out)

    @router.put(
        base + "/{record_id}",
        summary=f"Update a {label}",
        responses=responses(m["envelope"]),
        openapi_extra=body(m["request"]),
    )
    async def update_record(
        request: Request, record_id: str, include: str | None = INCLUDE
    ) -> Response:
        who, data = principal(request), await json_body(request)
        async with database(request).transaction() as tx:
            row = await service.update(tx, who, path_id(record_id), data)
            out = await service.envelope(tx, who, row, include_handles(request))
        return json_response(out)

    @router.delete(base + "/{record_id}", summary=f"Delete a {label}", responses=responses(bool))
    async def delete_record(
        request: Request, record_id: str, delete_associated_contacts_deals: str | None = None
    ) -> Response:
        who = principal(request)
        cascade = (delete_associated_contacts_deals or "").lower() in ("true", "1")
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
        who, data = principal(request), await json_body(request)
        async with database(request).transaction() as tx:
            new_id = await service.clone(tx, who, path_id(record_id), data)
            out = await service.get(tx, who, new_id, scoped=False)
        return json_response(out)

    @router.post(
        base + "/{record_id}/manage_team_members",
        summary=f"Add, update or remove {label} team members",
        responses=responses(team.TeamUsersOut),
        openapi_extra=body(team.TeamUsersIn),
    )
    async def manage_team_members(request: Request, record_id: str) -> Response:
        who, data = principal(request), await json_body(request)
        async with database(request).transaction() as tx:
            row = await service.find(tx, who, path_id(record_id))
            members = await team.manage(tx, who, kind.table, row["id"], data.get("team_users"))
        return json_response({"team_users": members})

    return router
