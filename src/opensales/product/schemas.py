"""Wire shapes of products, for the OpenAPI document (handlers render with orjson)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from opensales.kit.fields import model
from opensales.product.kind import PRODUCT


class ProductPricingOut(BaseModel):
    id: int
    currency_code: str
    destroy: bool = Field(alias="_destroy")
    billing_cycle: int | None
    billing_type: int | None
    unit_price: float
    setup_fee: float | None
    is_locked: bool


class ProductOut(BaseModel):
    id: int
    name: str
    category: str | None
    custom_field: dict[str, Any]
    product_code: str | None
    sku_number: str | None
    parent_product: int | None
    territory_id: int | None
    valid_till: str | None
    is_active: bool
    owner_id: int | None
    is_deleted: bool
    created_at: str
    updated_at: str
    pricing_type: int
    # With include=product_pricings, on create, and when the request changed prices.
    product_pricings: list[ProductPricingOut] | None = None
    avatar: str | None
    base_currency_amount: float | None
    creater_id: int | None
    updater_id: int | None
    description: str | None
    lookup_information: dict[str, Any]


class ProductEnvelope(BaseModel):
    product: ProductOut
    users: list[dict[str, Any]] | None = None


ProductRequest = model("ProductRequest", {"product": (PRODUCT.input_model | None, None)})


class DeletedOut(BaseModel):
    id: int
    code: str


class ProductDeleted(BaseModel):
    msg: DeletedOut
