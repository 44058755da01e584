"""`POST /api/leads/{id}/convert`: the lead becomes a contact, with the account of its
company and, when it brings one, a deal; all made through their own services (so their
rules hold), in the caller's one transaction. Choices are in docs/leads.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opensales.account import repository as accounts
from opensales.account.service import account_service
from opensales.contact.service import contact_service
from opensales.db import Conn, Row
from opensales.deal.service import deal_service
from opensales.kit import custom_fields, search_index, timeline, versions
from opensales.kit.dates import utcnow
from opensales.kit.engagement import ITEM_TABLES
from opensales.kit.fields import json_value
from opensales.kit.http import unwrap
from opensales.kit.principal import Principal
from opensales.lead import repository
from opensales.lead.service import converted_already, lead_service, nested_out

# The lead's attributes a contact has under the same name.
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "job_title",
    "email",
    "work_number",
    "mobile_number",
    "address",
    "city",
    "state",
    "zipcode",
    "country",
    "time_zone",
    "medium",
    "keyword",
    "facebook",
    "twitter",
    "linkedin",
    "lead_source_id",
    "campaign_id",
    "subscription_status",
    "owner_id",
    "territory_id",
)
COMPANY_TO_ACCOUNT = (
    "address",
    "city",
    "state",
    "zipcode",
    "country",
    "number_of_employees",
    "annual_revenue",
    "website",
    "phone",
    "industry_type_id",
    "business_type_id",
)


@dataclass(frozen=True, slots=True)
class Converted:
    contact_id: int
    sales_account_id: int | None
    deal_id: int | None


async def convert(
    conn: Conn, who: Principal, lead_id: int | None, data: dict[str, Any]
) -> Converted:
    """Convert the lead, after applying the body's `lead: {...}` to it as an update would."""
    await lead_service.require_enabled(conn, who)
    lead = await lead_service.find(conn, who, lead_id)
    if lead["is_converted"]:
        raise converted_already(lead)
    overrides = unwrap(data, "lead") if data else {}
    if overrides:
        lead = await lead_service.update(conn, who, lead["id"], overrides)
    company = nested_out(lead, "company")
    account_id = await _account(conn, who, lead, company) if company["name"] else None
    contact_id = await contact_service.create(
        conn, who, await _contact_body(conn, who, lead, account_id)
    )
    made = Converted(contact_id, account_id, await _deal(conn, who, lead, account_id, contact_id))
    await _mark_converted(conn, who, lead, made)
    return made


async def _account(conn: Conn, who: Principal, lead: Row, company: dict[str, Any]) -> int:
    """The live account named as the company (any case), else a new one from the company."""
    found = await accounts.id_by_name(conn, who.workspace_id, company["name"])
    if found is not None:
        return found
    body = {k: company[k] for k in COMPANY_TO_ACCOUNT if company[k] is not None}
    return await account_service.create(
        conn, who, {**body, "name": company["name"], "owner_id": lead["owner_id"]}
    )


async def _contact_body(
    conn: Conn, who: Principal, lead: Row, account_id: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {k: lead[k] for k in CONTACT_FIELDS if lead[k] is not None}
    if account_id is not None:
        body["sales_account_id"] = account_id
    body["custom_field"] = await _shared_custom_fields(conn, who, lead)
    return body


async def _shared_custom_fields(conn: Conn, who: Principal, lead: Row) -> dict[str, Any]:
    """The lead's custom field values that contacts have a custom field of the same name for."""
    values = json_value(lead["custom_field"])
    if not values:
        return {}
    names = await custom_fields.definitions(conn, who.workspace_id, "contacts")
    return {k: v for k, v in values.items() if k in names and v is not None}


async def _deal(
    conn: Conn, who: Principal, lead: Row, account_id: int | None, contact_id: int
) -> int | None:
    """A deal when the lead's deal has a name or an amount; the missing one is made up."""
    deal = nested_out(lead, "deal")
    if not deal["name"] and deal["amount"] is None:
        return None
    name = deal["name"] or f"{lead['company_name'] or lead['display_name']} deal"
    body: dict[str, Any] = {
        "name": name,
        "amount": deal["amount"] or 0,
        "owner_id": lead["owner_id"],
        "contacts_added_list": [contact_id],
    }
    for key in ("expected_close", "deal_product_id"):
        if deal[key] is not None:
            body[key] = deal[key]
    for key in ("lead_source_id", "campaign_id"):
        if lead[key] is not None:
            body[key] = lead[key]
    if account_id is not None:
        body["sales_account_id"] = account_id
    return await deal_service.create(conn, who, body)


async def _mark_converted(conn: Conn, who: Principal, lead: Row, made: Converted) -> None:
    now = utcnow()
    await conn.execute(
        "UPDATE leads SET is_converted = true, converted_at = :now, contact_id = :contact, "
        "sales_account_id = :account, deal_id = :deal, updated_at = :now, updater_id = :me "
        "WHERE id = :id",
        {
            "now": now,
            "contact": made.contact_id,
            "account": made.sales_account_id,
            "deal": made.deal_id,
            "me": who.user_id,
            "id": lead["id"],
        },
    )
    await repository.move_items(conn, who.workspace_id, lead["id"], made.contact_id)
    await timeline.append(
        conn,
        who,
        timeline.action("leads", "CONVERTED"),
        {"contact_id": made.contact_id},
        [("leads", lead["id"])],
        actionable=("contacts", made.contact_id),
    )
    await search_index.refresh(conn, "leads", [lead["id"]])
    await versions.bump(conn, who.workspace_id, "leads", *ITEM_TABLES)
