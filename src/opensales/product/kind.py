"""What a product is to the API."""

from __future__ import annotations

from typing import Any

from opensales.kit import sideload
from opensales.kit.fields import BOOL, DATETIME, DECIMAL, ID, INT, TEXT, Field, input_annotation
from opensales.kit.kind import Kind
from opensales.product import pricing

FIELDS = (
    Field("name", TEXT, "Name", required=True, unique=True),
    Field("category", TEXT, "Category", ui_type="dropdown"),
    Field("product_code", TEXT, "Product code"),
    Field("sku_number", TEXT, "SKU number"),
    # Sent and rendered as `parent_product` (prepare and decorate translate).
    Field("parent_product_id", ID, writable=False),
    Field("valid_till", DATETIME, "Valid till"),
    Field("is_active", BOOL, "Active", nullable=False),
    # Settable (1 or 2) only while the product has no prices (product/pricing.py).
    Field(
        "pricing_type", INT, minimum=pricing.ONE_TIME, maximum=pricing.SUBSCRIPTION, nullable=False
    ),
    Field("base_currency_amount", DECIMAL, writable=False, digits=19, places=4),
    Field("description", TEXT, "Description", ui_type="textarea"),
)

PRODUCT = Kind(
    table="products",
    singular="product",
    model_class="Product",
    label="Product",
    fields=FIELDS,
    partial=("name", "category", "is_active", "owner_id"),
    sort_fields=("name", "created_at", "updated_at"),
    includes={
        # Nested in the product, as the reference shows it.
        "product_pricings": sideload.Include("product_pricings", nest=pricing.nest),
        "users": sideload.users("owner_id", "creater_id", "updater_id"),
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
    },
    extra_input={
        "parent_product": (input_annotation(Field("parent_product", ID)), None),
        "product_pricings": (list[dict[str, Any]] | None, None),
    },
)
