"""Wire shapes of CPQ documents, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from opensales.cpq_document.kind import CPQ_DOCUMENT


class LineItemOut(BaseModel):
    id: int
    product_id: int
    cpq_document_id: int
    currency_code: str | None
    billing_cycle: int | None
    billing_type: int | None
    unit_price: float | None
    setup_fee: float | None
    quantity: int | float
    discount: float
    item_id: str
    name: str | None
    pricing_type: int | None
    avatar: str | None
    owner_id: int | None


class CpqDocumentOut(BaseModel):
    id: int
    deal_id: int | None
    contact_id: int | None
    sales_account_id: int | None
    document_type: str | None
    stage: str | None
    valid_till: str | None
    shipping_address: str | None
    shipping_city: str | None
    shipping_state: str | None
    shipping_zipcode: str | None
    shipping_country: str | None
    billing_address: str | None
    billing_city: str | None
    billing_state: str | None
    billing_zipcode: str | None
    billing_country: str | None
    owner_id: int | None
    amount: float | None
    currency_code: str | None
    base_currency_amount: float | None
    creater_id: int | None
    updater_id: int | None
    custom_field: dict[str, Any]
    created_at: str
    updated_at: str
    is_deleted: bool
    document_number: str | None
    territory_id: int | None
    is_deal_primary: bool
    # With include=products (and on create).
    products: list[LineItemOut] | None = None
    display_name: str | None
    html_content: str | None
    html_content_css: str | None
    html_content_settings: dict[str, Any] | None
    html_header: str | None
    html_footer: str | None
    email_template_id: int | None
    cpq_document_template_name: str | None
    has_products: bool


class CpqDocumentEnvelope(BaseModel):
    cpq_document: CpqDocumentOut


class CpqDocumentRequest(BaseModel):
    cpq_document: CPQ_DOCUMENT.input_model | None = None  # type: ignore[name-defined]


class DeletedMsg(BaseModel):
    id: int
    code: str


class DeletedOut(BaseModel):
    """`{"msg": {"id": 1, "code": "success"}}`: a deleted or forgotten document."""

    msg: DeletedMsg
