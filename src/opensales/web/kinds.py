"""The kinds of record the web app shows, by the URL segment of their pages:
`/contacts`, `/accounts`, `/deals` and `/modules/{entity_name}` (custom modules)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opensales.account.service import account_service
from opensales.contact.service import contact_service
from opensales.custom_module import service as modules
from opensales.custom_module.records import records_of
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.errors import NotFoundError
from opensales.kit import modules as module_tables
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService


@dataclass(frozen=True, slots=True)
class Section:
    """One kind of record in the web app."""

    base: str  # its pages' path: "/contacts", "/modules/cm_property"
    label: str  # plural, for people: "Contacts", "Properties"
    singular: str  # for people: "Contact", "Property"
    service: RecordService
    # Its `targetable_type` (notes, tasks, files...) and its table.
    targetable_type: str
    table: str


SECTIONS: dict[str, Section] = {
    "contacts": Section("/contacts", "Contacts", "Contact", contact_service, "Contact", "contacts"),
    "accounts": Section(
        "/accounts", "Accounts", "Account", account_service, "SalesAccount", "sales_accounts"
    ),
    "deals": Section("/deals", "Deals", "Deal", deal_service, "Deal", "deals"),
}


# How search results and a task's or note's `targetable` name the kinds with pages here.
TYPE_TABLES = {"contact": "contacts", "sales_account": "sales_accounts", "deal": "deals"}


def record_page(table: str, record_id: Any) -> str | None:
    """The web page of a record of `table` (a custom module's records table too); None for
    the kinds without pages here (leads, products...)."""
    for known in SECTIONS.values():
        if known.table == table:
            return f"{known.base}/{record_id}"
    if module_tables.is_module_table(table):
        return f"/modules/{module_tables.entity_of(table)}/{record_id}"
    return None


def record_page_of_type(kind: str, record_id: Any) -> str | None:
    """The same, by the record's `type` (`contact`, `deal`, a module's entity name)."""
    if module_tables.ENTITY_NAME.match(kind):
        return f"/modules/{kind}/{record_id}"
    return record_page(TYPE_TABLES.get(kind, ""), record_id)


def section(slug: str) -> Section:
    found = SECTIONS.get(slug)
    if found is None:
        raise NotFoundError("Requested resource not found")
    return found


async def module_section(conn: Conn, who: Principal, entity_name: str) -> Section:
    """A custom module's records, by the module's entity name (404 if there is none)."""
    module = await modules.by_entity(conn, who.workspace_id, entity_name)
    if module is None:
        raise NotFoundError("Requested resource not found")
    service = records_of(module)
    return Section(
        f"/modules/{module['entity_name']}",
        module["plural_name"],
        module["singular_name"],
        service,
        module["entity_name"],
        service.kind.table,
    )
