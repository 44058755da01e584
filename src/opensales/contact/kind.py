"""What a contact is to the API: its fields, includes, views and sort fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from opensales.appointment.schemas import include as include_appointments
from opensales.contact import repository
from opensales.deal.kind import TOTAL_FIELDS
from opensales.kit import sideload
from opensales.kit.conditions import CREATED_LAST_30_DAYS, IN_MY_TERRITORY, OWNED_BY_ME
from opensales.kit.fields import DATETIME, ID, INT, TEXT, Field
from opensales.kit.kind import Kind
from opensales.kit.recycle_bin import RECYCLE_BIN_VIEW
from opensales.note.schemas import include as include_notes
from opensales.sales_activity.schemas import include as include_sales_activities
from opensales.task.schemas import include as include_tasks


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | str | None = None
    value: str | None = None
    is_primary: bool | str | None = None
    label: str | None = None
    destroy: bool | str | None = PydField(None, alias="_destroy")


class EmailOut(BaseModel):
    id: int
    value: str
    is_primary: bool
    label: str | None
    destroy: bool = PydField(alias="_destroy")


class AccountLinkIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int | str
    is_primary: bool | str | None = None


class AccountOnTheFly(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str


class AccountLinkOut(BaseModel):
    id: int
    name: str
    is_primary: bool
    avatar: str | None
    website: str | None
    partial: bool


# A person's fields, which a lead has as a contact does (a lead becomes a contact).
PERSON_FIELDS = (
    Field("first_name", TEXT, "First name"),
    Field("last_name", TEXT, "Last name"),
    Field("display_name", TEXT, writable=False),
    Field("job_title", TEXT, "Job title"),
    Field("email", TEXT, "Email", unique=True),
    Field("work_number", TEXT, "Work"),
    Field("mobile_number", TEXT, "Mobile"),
)
PERSON_DETAILS = (
    Field("address", TEXT, "Address", ui_type="textarea"),
    Field("city", TEXT, "City"),
    Field("state", TEXT, "State"),
    Field("zipcode", TEXT, "Zipcode"),
    Field("country", TEXT, "Country"),
    Field("time_zone", TEXT, "Time zone"),
    Field("medium", TEXT, "Medium"),
    Field("keyword", TEXT, "Keyword"),
    Field("facebook", TEXT, "Facebook"),
    Field("twitter", TEXT, "Twitter"),
    Field("linkedin", TEXT, "LinkedIn"),
    Field("lead_source_id", ID, "Source", ref="lead_sources", ui_type="dropdown"),
    Field("campaign_id", ID, "Campaign", ref="campaigns", ui_type="dropdown"),
)
FIELDS = (
    *PERSON_FIELDS,
    Field("external_id", TEXT, "External ID", unique=True),
    *PERSON_DETAILS,
    Field("contact_status_id", ID, "Status", ref="contact_statuses", ui_type="dropdown"),
    Field("lifecycle_stage_id", ID, "Lifecycle stage", ref="lifecycle_stages", ui_type="dropdown"),
    Field("subscription_status", INT, "Subscription status", minimum=0, maximum=10),
    Field("subscription_types", TEXT, "Subscription types"),
    Field("lead_score", INT, writable=False, nullable=False),
    Field("last_seen", DATETIME, writable=False),
    Field("stage_updated_time", DATETIME, writable=False),
    *TOTAL_FIELDS,
)

PARTIAL = (
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "email",
    "work_number",
    "mobile_number",
    "lead_score",
    "open_deals_amount",
    "last_contacted",
    "last_contacted_mode",
    "city",
    "country",
    "owner_id",
)

DEFAULT_VIEWS: tuple[dict[str, Any], ...] = (
    {"name": "My Contacts", "rules": OWNED_BY_ME},
    {
        "name": "My Territory Contacts",
        "rules": IN_MY_TERRITORY,
    },
    {
        "name": "New Contacts",
        "rules": CREATED_LAST_30_DAYS,
        "sort": "created_at",
    },
    {"name": "All Contacts", "rules": []},
    {
        "name": "Recently Modified",
        "rules": [{"attribute": "updated_at", "operator": "is_after", "value": "7 days ago"}],
    },
    {"name": "Never Contacted", "rules": [{"attribute": "last_contacted", "operator": "is_empty"}]},
    {
        "name": "Needs Followup",
        "rules": [{"attribute": "last_contacted", "operator": "is_before", "value": "7 days ago"}],
        "sort": "last_contacted",
        "sort_type": "asc",
    },
    {
        "name": "Active",
        "default": False,
        "rules": [{"attribute": "last_contacted", "operator": "is_after", "value": "30 days ago"}],
        "sort": "last_contacted",
    },
    {
        "name": "Inactive",
        "default": False,
        "rules": [{"attribute": "last_contacted", "operator": "is_before", "value": "90 days ago"}],
        "sort": "last_contacted",
    },
    {
        "name": "Slipping Away",
        "default": False,
        "rules": [
            {
                "attribute": "last_contacted",
                "operator": "between",
                "value": ["90 days ago", "30 days ago"],
            }
        ],
        "sort": "last_contacted",
    },
    RECYCLE_BIN_VIEW,
)


def _includes() -> dict[str, sideload.Include]:
    # Handles for resources that arrive in later issues answer empty arrays until then.
    return {
        "owner": sideload.users("owner_id"),
        "creater": sideload.users("creater_id"),
        "updater": sideload.users("updater_id"),
        "source": sideload.option("lead_source_id", "lead_sources"),
        "campaign": sideload.option("campaign_id", "campaigns"),
        "territory": sideload.option("territory_id", "territories"),
        "contact_status": sideload.option("contact_status_id", "contact_statuses"),
        "lifecycle_stage": sideload.option("lifecycle_stage_id", "lifecycle_stages"),
        "sales_activities": include_sales_activities("contacts"),
        "tasks": include_tasks("contacts"),
        "appointments": include_appointments("contacts"),
        "notes": include_notes("contacts"),
        "sales_accounts": sideload.Include("sales_accounts", nest=repository.nest_accounts),
        "sales_account": sideload.Include("sales_accounts", load=repository.primary_accounts),
        "deals": sideload.Include("deals", load=repository.deals_of),
    }


CONTACT = Kind(
    table="contacts",
    singular="contact",
    model_class="Contact",
    label="Contact",
    fields=FIELDS,
    partial=PARTIAL,
    sort_fields=("lead_score", "created_at", "updated_at", "open_deals_amount", "last_contacted"),
    includes=_includes(),
    extra_input={
        "emails": (list[EmailIn] | None, None),
        "sales_accounts": (list[AccountLinkIn] | None, None),
        "sales_account": (AccountOnTheFly | None, None),
        "sales_account_id": (int | str | None, None),
    },
    extra_output={
        "avatar": (str | None, ...),
        "emails": (list[EmailOut], ...),
        "sales_account_id": (int | None, ...),
        "links": (dict[str, str], ...),
        "tags": (list[str], ...),
        "team_user_ids": (list[int], ...),
        "sales_accounts": (list[AccountLinkOut] | None, None),
    },
    extra_partial={"avatar": (str | None, ...), "partial": (bool, ...)},
)
