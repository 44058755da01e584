"""Leads, as Freshsales Classic has them: a prospect with the company and deal it may bring,
kept apart from contacts until it is converted into one (docs/leads.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import NEVER_REUSE_IDS, Base, flag, ref
from opensales.models.records import RecordColumns


def _str(length: int = 255) -> Mapped[str | None]:
    return mapped_column(String(length), nullable=True)


def _listing(column: str) -> Index:
    """The index a lead view walks: live, unconverted leads of a workspace in `column` order."""
    return Index(f"ix_leads_{column}", "workspace_id", "is_deleted", column, "id")


class Lead(RecordColumns, Base):
    __tablename__ = "leads"
    __table_args__ = (
        _listing("updated_at"),
        _listing("created_at"),
        _listing("lead_score"),
        _listing("last_contacted"),
        Index("ix_leads_owner", "workspace_id", "owner_id"),
        Index("ix_leads_email", "workspace_id", "email"),
        NEVER_REUSE_IDS,
    )
    first_name: Mapped[str | None] = _str()
    last_name: Mapped[str | None] = _str()
    display_name: Mapped[str | None] = _str(512)
    job_title: Mapped[str | None] = _str()
    email: Mapped[str | None] = _str()
    work_number: Mapped[str | None] = _str(64)
    mobile_number: Mapped[str | None] = _str(64)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = _str()
    state: Mapped[str | None] = _str()
    zipcode: Mapped[str | None] = _str(64)
    country: Mapped[str | None] = _str()
    time_zone: Mapped[str | None] = _str(64)
    medium: Mapped[str | None] = _str()
    keyword: Mapped[str | None] = _str()
    facebook: Mapped[str | None] = _str()
    twitter: Mapped[str | None] = _str()
    linkedin: Mapped[str | None] = _str()
    lead_source_id: Mapped[int | None] = ref("selector_options.id")
    campaign_id: Mapped[int | None] = ref("selector_options.id")
    lead_stage_id: Mapped[int | None] = ref("selector_options.id")
    lead_reason_id: Mapped[int | None] = ref("selector_options.id")
    subscription_status: Mapped[int | None]
    do_not_disturb: Mapped[bool] = flag()
    lead_score: Mapped[int] = mapped_column(Integer, server_default="0")
    # The company the lead works for: the account its conversion links or creates.
    company_name: Mapped[str | None] = _str()
    company_address: Mapped[str | None] = mapped_column(Text)
    company_city: Mapped[str | None] = _str()
    company_state: Mapped[str | None] = _str()
    company_zipcode: Mapped[str | None] = _str(64)
    company_country: Mapped[str | None] = _str()
    company_number_of_employees: Mapped[int | None]
    company_annual_revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 0))
    company_website: Mapped[str | None] = _str()
    company_phone: Mapped[str | None] = _str(64)
    company_industry_type_id: Mapped[int | None] = ref("selector_options.id")
    company_business_type_id: Mapped[int | None] = ref("selector_options.id")
    # The deal the lead may bring: made on conversion when it has a name or an amount.
    deal_name: Mapped[str | None] = _str()
    deal_amount: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    deal_expected_close: Mapped[date | None]
    deal_product_id: Mapped[int | None] = ref("selector_options.id")
    # Set once, by conversion: the lead then leaves its views and points at its contact.
    is_converted: Mapped[bool] = flag()
    converted_at: Mapped[datetime | None]
    contact_id: Mapped[int | None] = ref("contacts.id")
    sales_account_id: Mapped[int | None] = ref("sales_accounts.id")
    deal_id: Mapped[int | None] = ref("deals.id")
