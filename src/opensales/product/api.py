"""/api/cpq/products: products and their prices, and the queued bulk operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit import recycle_bin
from opensales.kit.coerce import path_id
from opensales.kit.http import include_handles, json_response, principal, read_json, unwrap
from opensales.kit.openapi import body, responses
from opensales.kit.queued_bulk import add_queued_bulk_routes
from opensales.kit.routes import INCLUDE, call_of, database
from opensales.product.schemas import ProductDeleted, ProductEnvelope, ProductRequest
from opensales.product.service import product_service as service

router = APIRouter(tags=["CPQ"])
BASE = "/cpq/products"
PRICES = "product_pricings"


def _handles(request: Request, *, prices: bool) -> list[str]:
    """The include handles asked for, plus the prices when the answer must show them."""
    handles = include_handles(request)
    return [*handles, PRICES] if prices and PRICES not in handles else handles


def _sends_prices(data: dict[str, Any]) -> bool:
    inner = data.get("product")
    source = inner if isinstance(inner, dict) else data
    return source.get(PRICES) is not None


@router.post(
    BASE,
    summary="Create a product",
    responses=responses(ProductEnvelope),
    openapi_extra=body(ProductRequest),
)
async def create_product(request: Request, include: str | None = INCLUDE) -> Response:
    """Create a product; it comes back with its prices (`[]` until some are added)."""
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        new_id = await service.create(tx, call.who, data)
        out = await service.get(tx, call.who, new_id, _handles(request, prices=True), scoped=False)
    return json_response(out)


# Before the {product_id} routes, which would take these paths.
add_queued_bulk_routes(router, service, path=BASE, plural="products", restoring_label="products")


@router.get(BASE + "/{product_id}", summary="View a product", responses=responses(ProductEnvelope))
async def get_product(request: Request, product_id: str, include: str | None = INCLUDE) -> Response:
    """A product; `include=product_pricings` nests its prices."""
    call = await call_of(request)
    out = await service.get(call.db, call.who, path_id(product_id), include_handles(request))
    return json_response(out)


@router.put(
    BASE + "/{product_id}",
    summary="Update a product, or add, edit and delete its prices",
    responses=responses(ProductEnvelope),
    openapi_extra=body(ProductRequest),
)
async def update_product(
    request: Request, product_id: str, include: str | None = INCLUDE
) -> Response:
    """Update a product; `product_pricings[]` adds prices (no `id`), overwrites them (`id`)
    and deletes them (`id` and `_destroy: true`)."""
    call = await call_of(request)
    data = read_json(call.body)
    unwrap(data, "product")  # a non-object root key is a 400 before anything else
    async with call.db.transaction() as tx:
        row = await service.update(tx, call.who, path_id(product_id), data)
        handles = _handles(request, prices=_sends_prices(data))
        out = await service.envelope(tx, call.who, row, handles)
    return json_response(out)


@router.delete(
    BASE + "/{product_id}", summary="Delete a product", responses=responses(ProductDeleted)
)
async def delete_product(request: Request, product_id: str) -> Response:
    """Move a product to the recycle bin (restorable)."""
    who = principal(request)
    async with database(request).transaction() as tx:
        row = await service.find(tx, who, path_id(product_id))
        await service.soft_delete(tx, who, [row["id"]])
    return json_response({"msg": {"id": row["id"], "code": "success"}})


@router.put(
    BASE + "/{product_id}/restore",
    summary="Restore a deleted product",
    responses=responses(ProductEnvelope),
)
async def restore_product(
    request: Request, product_id: str, include: str | None = INCLUDE
) -> Response:
    """Bring a product back from the recycle bin, unless a live product took its name."""
    who = principal(request)
    record_id = path_id(product_id)
    async with database(request).transaction() as tx:
        restored = await recycle_bin.restore_one(service, tx, who, record_id)
        out = await service.get(tx, who, restored, include_handles(request))
    return json_response(out)
