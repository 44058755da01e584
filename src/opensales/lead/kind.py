"""What a lead is to the API (Freshsales Classic): its fields, nested company and deal,
includes, views and sort fields."""

from __future__ import annotations

from typing import Any

from opensales.appointment.schemas import include as include_appointments
from opensales.contact.kind import PERSON_DETAILS, PERSON_FIELDS
from opensales.kit import sideload
from opensales.kit.conditions import CREATED_LAST_30_DAYS, IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.fields import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    ID,
    INT,
    MONEY,
    TEXT,
    Field,
    input_model,
    output_model,
)
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW
from opensales.note.schemas import include as include_notes
from opensales.task.schemas import include as include_tasks

# `company: {...}` and `deal: {...}` of a lead, each stored in columns named with a prefix.
COMPANY_FIELDS = (
    Field("name", TEXT),
    Field("address", TEXT),
    Field("city", TEXT),
    Field("state", TEXT),
    Field("zipcode", TEXT),
    Field("country", TEXT),
    Field("number_of_employees", INT, minimum=0, maximum=10**9),
    Field("annual_revenue", DECIMAL, digits=18, places=0),
    Field("website", TEXT),
    Field("phone", TEXT),
    Field("industry_type_id", ID, ref="industry_types"),
    Field("business_type_id", ID, ref="business_types"),
)
DEAL_FIELDS = (
    Field("name", TEXT),
    Field("amount", MONEY),
    Field("expected_close", DATE),
    Field("deal_product_id", ID, ref="deal_products"),
)
# nested key -> (column prefix, its fields)
NESTED = {"company": ("company_", COMPANY_FIELDS), "deal": ("deal_", DEAL_FIELDS)}


def column_of(prefix: str, name: str) -> str:
    """`company.city` is `company_city`; `deal.deal_product_id` is `deal_product_id`."""
    return name if name.startswith(prefix) else prefix + name


CompanyIn = input_model("LeadCompanyInput", COMPANY_FIELDS, {})
DealIn = input_model("LeadDealInput", DEAL_FIELDS, {})
CompanyOut = output_model("LeadCompany", list(COMPANY_FIELDS), {})
DealOut = output_model("LeadDeal", list(DEAL_FIELDS), {})

FIELDS = (
    *PERSON_FIELDS,
    *PERSON_DETAILS,
    Field("lead_stage_id", ID, "Lead stage", ref="lead_stages", ui_type="dropdown"),
    Field("lead_reason_id", ID, "Unqualified reason", ref="lead_reasons", ui_type="dropdown"),
    Field("subscription_status", INT, "Subscription status", minimum=0, maximum=10),
    Field("do_not_disturb", BOOL, "Do not disturb", nullable=False),
    Field("lead_score", INT, writable=False, nullable=False),
    Field("is_converted", BOOL, writable=False, nullable=False),
    Field("converted_at", DATETIME, writable=False),
    Field("contact_id", ID, writable=False),
    Field("sales_account_id", ID, writable=False),
    Field("deal_id", ID, writable=False),
)

PARTIAL = (
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "email",
    "work_number",
    "mobile_number",
    "company_name",
    "lead_score",
    "lead_stage_id",
    "last_contacted",
    "last_contacted_mode",
    "city",
    "country",
    "owner_id",
    "is_converted",
)

# Every default view but the bin and "Converted Leads" leaves converted leads out.
NOT_CONVERTED = {"attribute": "is_converted", "operator": "is", "value": False}
DEFAULT_VIEWS: tuple[dict[str, Any], ...] = (
    {"name": "My Leads", "rules": [*OWNED_BY_ME, NOT_CONVERTED]},
    {"name": "My Territory Leads", "rules": [*IN_MY_TERRITORY, NOT_CONVERTED]},
    {"name": "New Leads", "rules": [*CREATED_LAST_30_DAYS, NOT_CONVERTED], "sort": "created_at"},
    {"name": "All Leads", "rules": [NOT_CONVERTED]},
    {
        "name": "Unassigned Leads",
        "rules": [{"attribute": "owner_id", "operator": "is_empty"}, NOT_CONVERTED],
    },
    {
        "name": "Recently Modified",
        "rules": [
            {"attribute": "updated_at", "operator": "is_after", "value": "7 days ago"},
            NOT_CONVERTED,
        ],
    },
    {
        "name": "Never Contacted",
        "rules": [{"attribute": "last_contacted", "operator": "is_empty"}, NOT_CONVERTED],
    },
    {
        "name": "Converted Leads",
        "rules": [{"attribute": "is_converted", "operator": "is", "value": True}],
        "sort": "updated_at",
    },
    RECYCLE_BIN_VIEW,
)


LEAD = Kind(
    table="leads",
    singular="lead",
    model_class="Lead",
    label="Lead",
    # The company's name is also a column of its own: view rows show it, rules filter on it.
    fields=(*FIELDS, Field("company_name", TEXT, writable=False)),
    partial=PARTIAL,
    sort_fields=("lead_score", "created_at", "updated_at", "last_contacted"),
    includes={
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
        "source": sideload.option("lead_source_id", "lead_sources"),
        "campaign": sideload.option("campaign_id", "campaigns"),
        "territory": sideload.option("territory_id", "territories"),
        "lead_stage": sideload.option("lead_stage_id", "lead_stages"),
        "lead_reason": sideload.option("lead_reason_id", "lead_reasons"),
        "tasks": include_tasks("leads"),
        "appointments": include_appointments("leads"),
        "notes": include_notes("leads"),
    },
    extra_input={"company": (CompanyIn | None, None), "deal": (DealIn | None, None)},
    extra_output={
        "company": (CompanyOut, ...),
        "deal": (DealOut, ...),
        "links": (dict[str, str], ...),
        "tags": (list[str], ...),
        "avatar": (str | None, ...),
        "team_user_ids": (list[int], ...),
    },
    extra_partial={"avatar": (str | None, ...)},
)
