"""/api/selector/...: the configuration lists that feed every `*_id` attribute."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit.coerce import path_id
from opensales.kit.fields import model
from opensales.kit.http import json_response, page_params, principal
from opensales.kit.openapi import responses
from opensales.kit.routes import PAGE, PER_PAGE, database
from opensales.kit.views import Meta
from opensales.selector import service

router = APIRouter(tags=["Configuration"])

SelectorList = model(
    "SelectorList",
    {
        **dict.fromkeys((*service.KINDS, "users"), (list[dict[str, Any]] | None, None)),
        "meta": (Meta, ...),
    },
)


@router.get(
    "/selector/deal_pipelines/{pipeline_id}/deal_stages",
    summary="Stages of one pipeline",
    responses=responses(SelectorList),
)
async def list_pipeline_stages(
    request: Request, pipeline_id: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    number, size = page_params(request)
    out = await service.children(
        database(request), principal(request), "deal_pipelines", path_id(pipeline_id), number, size
    )
    return json_response(out)


@router.get(
    "/selector/sales_activity_types/{type_id}/sales_activity_outcomes",
    summary="Outcomes of one sales activity type",
    responses=responses(SelectorList),
)
async def list_activity_outcomes(
    request: Request, type_id: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    number, size = page_params(request)
    out = await service.children(
        database(request),
        principal(request),
        "sales_activity_types",
        path_id(type_id),
        number,
        size,
    )
    return json_response(out)


@router.get(
    "/selector/{name}",
    summary="A configuration list (owners, deal_stages, ...)",
    responses=responses(SelectorList),
)
async def list_selector(
    request: Request, name: str, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    number, size = page_params(request)
    out = await service.list_options(database(request), principal(request), name, number, size)
    return json_response(out)
