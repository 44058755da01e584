"""What a deal is to the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from opensales.appointment.schemas import include as include_appointments
from opensales.deal import repository
from opensales.kit import line_items, sideload
from opensales.kit.conditions import CREATED_LAST_30_DAYS, IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.fields import DATE, DATETIME, ID, INT, MONEY, TEXT, Field
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW
from opensales.note.schemas import include as include_notes
from opensales.sales_activity.schemas import include as include_sales_activities
from opensales.task.schemas import include as include_tasks


class AccountOnTheFly(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str


# What contacts and accounts carry of their deals (kept by the deal service).
TOTAL_FIELDS = (
    Field("open_deals_amount", MONEY, writable=False, nullable=False),
    Field("open_deals_count", INT, writable=False, nullable=False),
    Field("won_deals_amount", MONEY, writable=False, nullable=False),
    Field("won_deals_count", INT, writable=False, nullable=False),
)

FIELDS = (
    Field("name", TEXT, "Name", required=True, unique=True),
    Field(
        "amount",
        MONEY,
        "Deal value",
        digits=15,
        places=2,
        required=True,
        nullable=False,
        ui_type="number",
    ),
    Field("base_currency_amount", MONEY, writable=False, digits=19, places=4),
    Field("currency_id", ID, "Currency", ref="currencies", ui_type="dropdown"),
    Field("sales_account_id", ID, "Account", ref="sales_accounts", ui_type="auto_complete"),
    Field("deal_pipeline_id", ID, "Pipeline", ref="deal_pipelines", ui_type="dropdown"),
    Field("deal_stage_id", ID, "Deal stage", ref="deal_stages", ui_type="dropdown"),
    Field("deal_reason_id", ID, "Lost reason", ref="deal_reasons", ui_type="dropdown"),
    Field("deal_type_id", ID, "Type", ref="deal_types", ui_type="dropdown"),
    Field("lead_source_id", ID, "Source", ref="lead_sources", ui_type="dropdown"),
    Field("campaign_id", ID, "Campaign", ref="campaigns", ui_type="dropdown"),
    Field("deal_product_id", ID, "Product", ref="deal_products", ui_type="dropdown"),
    Field(
        "deal_payment_status_id",
        ID,
        "Payment status",
        ref="deal_payment_statuses",
        ui_type="dropdown",
    ),
    Field("expected_close", DATE, "Expected close date"),
    Field("closed_date", DATE, "Closed date"),
    Field("probability", INT, "Probability (%)", minimum=0, maximum=100, ui_type="number"),
    Field("stage_updated_time", DATETIME, writable=False),
    # The stage's forecast type (open / won / lost): what the deal views filter on.
    Field("forecast_type", TEXT, writable=False),
)

PARTIAL = (
    "name",
    "amount",
    "base_currency_amount",
    "expected_close",
    "closed_date",
    "stage_updated_time",
    "probability",
    "deal_stage_id",
    "sales_account_id",
    "owner_id",
    "last_contacted",
)

DEFAULT_VIEWS: tuple[dict[str, Any], ...] = (
    {
        "name": "Open Deals",
        "rules": [{"attribute": "forecast_type", "operator": "is", "value": "open"}],
    },
    {"name": "My Deals", "rules": OWNED_BY_ME},
    {
        "name": "My Territory Deals",
        "rules": IN_MY_TERRITORY,
    },
    {
        "name": "Recent Deals",
        "rules": CREATED_LAST_30_DAYS,
        "sort": "created_at",
    },
    {
        "name": "Lost Deals",
        "default": False,
        "rules": [{"attribute": "forecast_type", "operator": "is", "value": "lost"}],
    },
    {
        "name": "Won Deals",
        "default": False,
        "rules": [{"attribute": "forecast_type", "operator": "is", "value": "won"}],
    },
    {
        "name": "Hot Deals",
        "default": False,
        "rules": [
            {"attribute": "forecast_type", "operator": "is", "value": "open"},
            {"attribute": "probability", "operator": "greater_than", "value": 69},
        ],
    },
    {
        "name": "Cold Deals",
        "default": False,
        "rules": [
            {"attribute": "forecast_type", "operator": "is", "value": "open"},
            {"attribute": "probability", "operator": "less_than", "value": 31},
        ],
    },
    RECYCLE_BIN_VIEW,
)

DEAL = Kind(
    table="deals",
    singular="deal",
    model_class="Deal",
    label="Deal",
    fields=FIELDS,
    partial=PARTIAL,
    sort_fields=("amount", "expected_close", "created_at", "updated_at", "last_contacted"),
    includes={
        "users": sideload.users("owner_id", "creater_id", "updater_id"),
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
        "source": sideload.option("lead_source_id", "lead_sources"),
        "campaign": sideload.option("campaign_id", "campaigns"),
        "territory": sideload.option("territory_id", "territories"),
        "deal_stage": sideload.option("deal_stage_id", "deal_stages"),
        "deal_pipeline": sideload.option("deal_pipeline_id", "deal_pipelines"),
        "deal_type": sideload.option("deal_type_id", "deal_types"),
        "deal_reason": sideload.option("deal_reason_id", "deal_reasons"),
        "deal_payment_status": sideload.option("deal_payment_status_id", "deal_payment_statuses"),
        "deal_product": sideload.option("deal_product_id", "deal_products"),
        "currency": sideload.option("currency_id", "currencies"),
        "sales_activities": include_sales_activities("deals"),
        "tasks": include_tasks("deals"),
        "appointments": include_appointments("deals"),
        "notes": include_notes("deals"),
        "contacts": sideload.Include("contacts", load=repository.contacts_of),
        "sales_account": sideload.Include("sales_accounts", load=repository.account_of),
        "products": line_items.include("deals"),
    },
    extra_input={
        "sales_account": (AccountOnTheFly | None, None),
        "contacts_added_list": (list[int | str] | None, None),
        "contacts_removed_list": (list[int | str] | None, None),
        "products": (list[line_items.LineItemIn] | None, None),
    },
    extra_output={
        "age": (int | None, ...),
        "expected_deal_value": (str | None, ...),
        "has_products": (bool, ...),
        # Only with include=products.
        "products": (list[dict[str, Any]] | None, None),
        "contact_ids": (list[int], ...),
        "avatar": (str | None, ...),
        "links": (dict[str, str], ...),
        "tags": (list[str], ...),
        "team_user_ids": (list[int], ...),
    },
    extra_partial={"age": (int | None, ...)},
)
