"""The kinds of record filtered search and saved views serve, by the names a path gives
them: `contact` or `contacts`, `sales_account(s)`, `deal(s)`, or a custom module's entity
name (`cm_property`)."""

from __future__ import annotations

from opensales.account.service import account_service
from opensales.contact.service import contact_service
from opensales.custom_module import service as module_service
from opensales.custom_module.records import records_of
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.errors import NotFoundError
from opensales.kit import modules
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.lead.service import lead_service

SERVICES: dict[str, RecordService] = {
    name: service
    for service in (contact_service, account_service, deal_service, lead_service)
    for name in (service.kind.singular, service.kind.table)
}


async def record_service(conn: Conn, who: Principal, entity: str) -> RecordService:
    """The record service of the kind `entity` names; 404 when it names none."""
    found = SERVICES.get(entity)
    if found is not None:
        return found
    if modules.ENTITY_NAME.match(entity):
        return records_of(await module_service.named(conn, who, entity))
    raise NotFoundError(f"No kind of record named {entity[:60]!r}")
