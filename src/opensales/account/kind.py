"""What an account (sales_account) is to the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from opensales.account import repository
from opensales.appointment.schemas import include as include_appointments
from opensales.deal.kind import TOTAL_FIELDS
from opensales.kit import sideload
from opensales.kit.conditions import IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.fields import DECIMAL, ID, INT, TEXT, Field
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW
from opensales.note.schemas import include as include_notes
from opensales.sales_activity.schemas import include as include_sales_activities
from opensales.task.schemas import include as include_tasks

# "number_of_employees" is the lower bound of a bucket; the labels are accepted too.
EMPLOYEE_BUCKETS = {
    "1-10": 1,
    "11-50": 11,
    "51-200": 51,
    "201-500": 201,
    "501-1000": 501,
    "1001-5000": 1001,
    "5001-10000": 5001,
    "10000+": 10001,
}


class ParentOnTheFly(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str


FIELDS = (
    Field("name", TEXT, "Name", required=True, unique=True),
    Field("address", TEXT, "Address", ui_type="textarea"),
    Field("city", TEXT, "City"),
    Field("state", TEXT, "State"),
    Field("zipcode", TEXT, "Zipcode"),
    Field("country", TEXT, "Country"),
    Field("industry_type_id", ID, "Industry type", ref="industry_types", ui_type="dropdown"),
    Field("business_type_id", ID, "Business type", ref="business_types", ui_type="dropdown"),
    Field(
        "number_of_employees",
        INT,
        "Number of employees",
        minimum=0,
        maximum=10**9,
        ui_type="dropdown",
        choices=tuple((value, label) for label, value in EMPLOYEE_BUCKETS.items()),
    ),
    Field("annual_revenue", DECIMAL, "Annual revenue", digits=18, places=0, ui_type="number"),
    Field("website", TEXT, "Website"),
    Field("phone", TEXT, "Phone"),
    Field("facebook", TEXT, "Facebook"),
    Field("twitter", TEXT, "Twitter"),
    Field("linkedin", TEXT, "LinkedIn"),
    Field(
        "parent_sales_account_id",
        ID,
        "Parent account",
        ref="sales_accounts",
        ui_type="auto_complete",
    ),
    *TOTAL_FIELDS,
)

PARTIAL = (
    "name",
    "last_contacted",
    "last_contacted_mode",
    "city",
    "state",
    "country",
    "open_deals_amount",
    "owner_id",
)

DEFAULT_VIEWS: tuple[dict[str, Any], ...] = (
    {"name": "My Accounts", "rules": OWNED_BY_ME},
    {"name": "All Accounts", "rules": []},
    {
        "name": "MY Territory Accounts",
        "rules": IN_MY_TERRITORY,
    },
    RECYCLE_BIN_VIEW,
)

ACCOUNT = Kind(
    table="sales_accounts",
    singular="sales_account",
    model_class="SalesAccount",
    label="Account",
    fields=FIELDS,
    partial=PARTIAL,
    sort_fields=("open_deals_amount", "created_at", "updated_at", "last_contacted"),
    includes={
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
        "territory": sideload.option("territory_id", "territories"),
        "business_type": sideload.option("business_type_id", "business_types"),
        "industry_type": sideload.option("industry_type_id", "industry_types"),
        "sales_activities": include_sales_activities("sales_accounts"),
        "tasks": include_tasks("sales_accounts"),
        "appointments": include_appointments("sales_accounts"),
        "notes": include_notes("sales_accounts"),
        "contacts": sideload.Include("contacts", load=repository.contacts_of),
        "deals": sideload.Include("deals", load=repository.deals_of),
        "child_sales_accounts": sideload.Include(
            "child_sales_accounts", load=repository.children_of
        ),
    },
    extra_input={"parent_sales_account": (ParentOnTheFly | None, None)},
    extra_output={
        "avatar": (str | None, ...),
        "links": (dict[str, str], ...),
        "tags": (list[str], ...),
        "team_user_ids": (list[int], ...),
    },
    extra_partial={"avatar": (str | None, ...)},
)
