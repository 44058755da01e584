"""Contacts, accounts, deals and what links them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import (
    NEVER_REUSE_IDS,
    Base,
    BigId,
    Timestamps,
    flag,
    pk,
    ref,
    workspace_fk,
)

Money = Numeric(19, 4)
ACTIVE = text("is_deleted = false")


def _active_listing(table: str, column: str) -> Index:
    """The index a view walks: live rows of one workspace in `column` order."""
    return Index(f"ix_{table}_{column}", "workspace_id", "is_deleted", column, "id")


class RecordColumns(Timestamps):
    """Columns every CRM record carries: ownership, custom fields, soft delete."""

    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    owner_id: Mapped[int | None] = ref("users.id")
    creater_id: Mapped[int | None] = ref("users.id")
    updater_id: Mapped[int | None] = ref("users.id")
    territory_id: Mapped[int | None] = ref("selector_options.id")
    custom_field: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    is_deleted: Mapped[bool] = flag()
    deleted_at: Mapped[datetime | None]
    last_contacted: Mapped[datetime | None]
    last_contacted_mode: Mapped[str | None] = mapped_column(String(40))


class DealTotals:
    open_deals_amount: Mapped[Decimal] = mapped_column(Money, server_default="0")
    open_deals_count: Mapped[int] = mapped_column(Integer, server_default="0")
    won_deals_amount: Mapped[Decimal] = mapped_column(Money, server_default="0")
    won_deals_count: Mapped[int] = mapped_column(Integer, server_default="0")


def _str(length: int = 255) -> Mapped[str | None]:
    return mapped_column(String(length), nullable=True)


class Contact(RecordColumns, DealTotals, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        _active_listing("contacts", "updated_at"),
        _active_listing("contacts", "created_at"),
        _active_listing("contacts", "last_contacted"),
        _active_listing("contacts", "lead_score"),
        _active_listing("contacts", "open_deals_amount"),
        Index("ix_contacts_owner", "workspace_id", "owner_id"),
        Index(
            "uq_contacts_external_id",
            "workspace_id",
            "external_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        NEVER_REUSE_IDS,
    )
    first_name: Mapped[str | None] = _str()
    last_name: Mapped[str | None] = _str()
    display_name: Mapped[str | None] = _str(512)
    job_title: Mapped[str | None] = _str()
    email: Mapped[str | None] = _str()
    work_number: Mapped[str | None] = _str(64)
    mobile_number: Mapped[str | None] = _str(64)
    external_id: Mapped[str | None] = _str()
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = _str()
    state: Mapped[str | None] = _str()
    zipcode: Mapped[str | None] = _str(64)
    country: Mapped[str | None] = _str()
    lead_source_id: Mapped[int | None] = ref("selector_options.id")
    campaign_id: Mapped[int | None] = ref("selector_options.id")
    contact_status_id: Mapped[int | None] = ref("selector_options.id")
    lifecycle_stage_id: Mapped[int | None] = ref("selector_options.id")
    medium: Mapped[str | None] = _str()
    keyword: Mapped[str | None] = _str()
    time_zone: Mapped[str | None] = _str(64)
    facebook: Mapped[str | None] = _str()
    twitter: Mapped[str | None] = _str()
    linkedin: Mapped[str | None] = _str()
    subscription_status: Mapped[int | None]
    subscription_types: Mapped[str | None] = _str()
    lead_score: Mapped[int] = mapped_column(Integer, server_default="0")
    last_seen: Mapped[datetime | None]
    stage_updated_time: Mapped[datetime | None]


class ContactEmail(Timestamps, Base):
    __tablename__ = "contact_emails"
    __table_args__ = (
        Index("ix_contact_emails_contact", "contact_id"),
        # An address belongs to one live contact; is_deleted mirrors the contact's.
        Index(
            "uq_contact_emails_value",
            "workspace_id",
            "value",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    value: Mapped[str] = mapped_column(String(255))
    is_primary: Mapped[bool] = flag()
    label: Mapped[str | None] = _str(64)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    is_deleted: Mapped[bool] = flag()


class SalesAccount(RecordColumns, DealTotals, Base):
    __tablename__ = "sales_accounts"
    __table_args__ = (
        _active_listing("sales_accounts", "updated_at"),
        _active_listing("sales_accounts", "created_at"),
        _active_listing("sales_accounts", "last_contacted"),
        _active_listing("sales_accounts", "open_deals_amount"),
        Index("ix_sales_accounts_owner", "workspace_id", "owner_id"),
        Index("ix_sales_accounts_name", "workspace_id", "name"),
        Index("ix_sales_accounts_parent", "parent_sales_account_id"),
        NEVER_REUSE_IDS,
    )
    name: Mapped[str] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = _str()
    state: Mapped[str | None] = _str()
    zipcode: Mapped[str | None] = _str(64)
    country: Mapped[str | None] = _str()
    industry_type_id: Mapped[int | None] = ref("selector_options.id")
    business_type_id: Mapped[int | None] = ref("selector_options.id")
    number_of_employees: Mapped[int | None]
    annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 0))
    website: Mapped[str | None] = _str()
    phone: Mapped[str | None] = _str(64)
    facebook: Mapped[str | None] = _str()
    twitter: Mapped[str | None] = _str()
    linkedin: Mapped[str | None] = _str()
    parent_sales_account_id: Mapped[int | None] = ref("sales_accounts.id")


class ContactAccount(Base):
    __tablename__ = "contact_accounts"
    __table_args__ = (
        UniqueConstraint("contact_id", "sales_account_id"),
        Index("ix_contact_accounts_account", "sales_account_id"),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    sales_account_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sales_accounts.id", ondelete="CASCADE"), nullable=False
    )
    is_primary: Mapped[bool] = flag()


class Deal(RecordColumns, Base):
    __tablename__ = "deals"
    __table_args__ = (
        _active_listing("deals", "updated_at"),
        _active_listing("deals", "created_at"),
        _active_listing("deals", "amount"),
        _active_listing("deals", "expected_close"),
        _active_listing("deals", "last_contacted"),
        Index("ix_deals_owner", "workspace_id", "owner_id"),
        Index("ix_deals_account", "sales_account_id"),
        Index("ix_deals_name", "workspace_id", "name"),
        # The dashboard: deals won and lost by the day they closed, and open deals by the
        # day they are expected to close, with what it sums and who may see them.
        Index(
            "ix_deals_closed",
            "workspace_id",
            "is_deleted",
            "closed_date",
            "forecast_type",
            "base_currency_amount",
            "owner_id",
            "territory_id",
        ),
        Index(
            "ix_deals_forecast",
            "workspace_id",
            "is_deleted",
            "expected_close",
            "forecast_type",
            "base_currency_amount",
            "probability",
            "owner_id",
            "territory_id",
        ),
        # The pipeline board: a stage's deals, biggest first, and their count and total.
        Index(
            "ix_deals_stage",
            "workspace_id",
            "deal_stage_id",
            "is_deleted",
            "base_currency_amount",
            "id",
        ),
        NEVER_REUSE_IDS,
    )
    name: Mapped[str] = mapped_column(String(255))
    amount: Mapped[Decimal] = mapped_column(Numeric(15, 2))
    base_currency_amount: Mapped[Decimal | None] = mapped_column(Money)
    currency_id: Mapped[int | None] = ref("selector_options.id")
    sales_account_id: Mapped[int | None] = ref("sales_accounts.id")
    deal_pipeline_id: Mapped[int | None] = ref("selector_options.id")
    deal_stage_id: Mapped[int | None] = ref("selector_options.id")
    # The stage's forecast type (open / won / lost), kept beside it for views and totals.
    forecast_type: Mapped[str] = mapped_column(String(10), server_default="open")
    deal_reason_id: Mapped[int | None] = ref("selector_options.id")
    deal_type_id: Mapped[int | None] = ref("selector_options.id")
    lead_source_id: Mapped[int | None] = ref("selector_options.id")
    campaign_id: Mapped[int | None] = ref("selector_options.id")
    deal_product_id: Mapped[int | None] = ref("selector_options.id")
    deal_payment_status_id: Mapped[int | None] = ref("selector_options.id")
    expected_close: Mapped[date | None]
    closed_date: Mapped[date | None]
    probability: Mapped[int | None]
    stage_updated_time: Mapped[datetime | None]


class DealContact(Base):
    __tablename__ = "deal_contacts"
    __table_args__ = (
        UniqueConstraint("deal_id", "contact_id"),
        Index("ix_deal_contacts_contact", "contact_id"),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    deal_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )


class TeamMember(Timestamps, Base):
    """A user on the team of any record (entity_type names the table)."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", "user_id"),)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigId)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    designation_id: Mapped[int | None] = ref("selector_options.id")


# --- CPQ: products, their prices, documents, and the line items of deals and documents ----


class Product(RecordColumns, Base):
    __tablename__ = "products"
    __table_args__ = (
        _active_listing("products", "updated_at"),
        # A name belongs to one live product of a workspace.
        Index(
            "uq_products_name",
            "workspace_id",
            "name",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        NEVER_REUSE_IDS,
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = _str()
    is_active: Mapped[bool] = flag(True)
    product_code: Mapped[str | None] = _str()
    sku_number: Mapped[str | None] = _str()
    valid_till: Mapped[datetime | None]
    parent_product_id: Mapped[int | None] = ref("products.id")
    # 0: no prices yet, 1: one-time, 2: subscription.
    pricing_type: Mapped[int] = mapped_column(Integer, server_default="0")
    base_currency_amount: Mapped[Decimal | None] = mapped_column(Money)


class ProductPricing(Timestamps, Base):
    """A product's price in one currency."""

    __tablename__ = "product_pricings"
    __table_args__ = (UniqueConstraint("product_id", "currency_code"), NEVER_REUSE_IDS)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    currency_code: Mapped[str] = mapped_column(String(10))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    setup_fee: Mapped[Decimal | None] = mapped_column(Money)
    billing_cycle: Mapped[int | None]
    # 1 monthly, 2 quarterly, 3 half-yearly, 4 yearly (subscriptions only).
    billing_type: Mapped[int | None]


class CpqDocument(RecordColumns, Base):
    """A quote (or another configured document type) for a deal and a contact."""

    __tablename__ = "cpq_documents"
    __table_args__ = (
        _active_listing("cpq_documents", "updated_at"),
        Index("ix_cpq_documents_deal", "deal_id"),
        NEVER_REUSE_IDS,
    )
    display_name: Mapped[str] = mapped_column(String(255))
    document_number: Mapped[str | None] = _str(64)
    document_type: Mapped[str] = mapped_column(String(100))
    cpq_document_template_name: Mapped[str | None] = _str()
    deal_id: Mapped[int | None] = ref("deals.id")
    contact_id: Mapped[int | None] = ref("contacts.id")
    sales_account_id: Mapped[int | None] = ref("sales_accounts.id")
    amount: Mapped[Decimal] = mapped_column(Money, server_default="0")
    currency_code: Mapped[str | None] = _str(10)
    base_currency_amount: Mapped[Decimal | None] = mapped_column(Money)
    stage: Mapped[str | None] = _str(100)
    valid_till: Mapped[datetime | None]
    is_deal_primary: Mapped[bool] = flag()
    shipping_address: Mapped[str | None] = mapped_column(Text)
    shipping_city: Mapped[str | None] = _str()
    shipping_state: Mapped[str | None] = _str()
    shipping_zipcode: Mapped[str | None] = _str(64)
    shipping_country: Mapped[str | None] = _str()
    billing_address: Mapped[str | None] = mapped_column(Text)
    billing_city: Mapped[str | None] = _str()
    billing_state: Mapped[str | None] = _str()
    billing_zipcode: Mapped[str | None] = _str(64)
    billing_country: Mapped[str | None] = _str()


class LineItem(Timestamps, Base):
    """A product on a deal or a document (`holder_table`: deals or cpq_documents), with the
    price, quantity and discount it carries there."""

    __tablename__ = "line_items"
    __table_args__ = (
        Index("ix_line_items_holder", "holder_table", "holder_id", "position"),
        Index("ix_line_items_product", "product_id"),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    holder_table: Mapped[str] = mapped_column(String(40))
    holder_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    currency_code: Mapped[str | None] = _str(10)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    setup_fee: Mapped[Decimal | None] = mapped_column(Money)
    billing_type: Mapped[int | None]
    billing_cycle: Mapped[int | None]
    quantity: Mapped[Decimal] = mapped_column(Numeric(15, 4), server_default="1")
    discount: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default="0")
