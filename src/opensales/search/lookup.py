"""GET /api/lookup: the records whose one field holds exactly a value.

Each field a lookup takes is served by an index: a contact's emails by contact_emails'
unique index, names and phone numbers by the `lower(...)` indexes of the search migration
(so text compares without case), custom fields by their own index (kit/field_indexes.py),
which compares their typed value exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opensales.account.service import account_service
from opensales.contact.service import contact_service
from opensales.db import Conn, Row
from opensales.deal.service import deal_service
from opensales.errors import ValidationError
from opensales.kit import custom_fields
from opensales.kit.conditions import MAX_SHOWN
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.lead.service import lead_service

SERVICES: dict[str, RecordService] = {
    "contact": contact_service,
    "sales_account": account_service,
    "deal": deal_service,
    "lead": lead_service,
}
# Leads (Freshsales Classic) are looked up when `entities` names them.
DEFAULT_ENTITIES = "contact,sales_account,deal"
# The fields a lookup takes besides custom fields, per kind: the column each compares.
FIELDS = {
    "contacts": {
        "name": "display_name",
        "display_name": "display_name",
        "mobile_number": "mobile_number",
        "work_number": "work_number",
    },
    "sales_accounts": {"name": "name"},
    "deals": {"name": "name"},
    "leads": {
        "name": "display_name",
        "display_name": "display_name",
        "email": "email",
        "mobile_number": "mobile_number",
        "work_number": "work_number",
    },
}
EMAIL = "email"
LIMIT = 100


def _services(raw: str | None) -> list[RecordService]:
    names = [n.strip() for n in (raw or DEFAULT_ENTITIES).split(",") if n.strip()]
    unknown = [n for n in names if n not in SERVICES]
    if unknown or not names:
        shown = unknown[0][:MAX_SHOWN] if unknown else ""
        raise ValidationError(
            f"Invalid value for entities: {shown} (contact, sales_account, deal or lead)"
        )
    return [SERVICES[n] for n in dict.fromkeys(names)]


async def lookup(conn: Conn, who: Principal, query: Mapping[str, str]) -> dict[str, Any]:
    value, field = (query.get("q") or "").strip(), (query.get("f") or "").strip()
    if not value:
        raise ValidationError("Invalid value for q: is required")
    if not field:
        raise ValidationError("Invalid value for f: is required")
    out: dict[str, Any] = {}
    known = False
    for service in _services(query.get("entities")):
        rows = await _rows(conn, who, service, field, value)
        known = known or rows is not None
        outs = [service.kind.render(r, partial=True) for r in rows or []]
        await service.decorate_partial(conn, who, rows or [], outs)
        out[service.kind.plural] = {service.kind.plural: outs}
    if not known:
        raise ValidationError(f"Invalid value for f: {field[:MAX_SHOWN]} cannot be looked up")
    return out


async def _rows(
    conn: Conn, who: Principal, service: RecordService, field: str, value: str
) -> list[Row] | None:
    """The live records the user may see whose `field` holds `value`; None when the kind
    has no such field."""
    table = service.kind.table
    source = f"{table} r"
    scope, params = who.scope_sql("r")
    params.update(ws=who.workspace_id, limit=LIMIT)
    if field == EMAIL and table == "contacts":
        # A join, not `id IN (...)`: SQLite then starts from the address's unique index.
        source += " JOIN contact_emails e ON e.contact_id = r.id"
        condition = "e.workspace_id = :ws AND e.value = :value AND e.is_deleted = false"
        params["value"] = value.lower()  # addresses are stored in lower case
    elif field in FIELDS[table]:
        condition = f"lower(r.{FIELDS[table][field]}) = :value"
        params["value"] = value.lower()
    elif field.startswith("cf_"):
        definition = (await custom_fields.definitions(conn, who.workspace_id, table)).get(field)
        if definition is None:
            return None
        if definition["type"] not in custom_fields.ORDERED_TYPES:
            raise ValidationError(f"Invalid value for f: {field} cannot be looked up")
        condition = f"{custom_fields.typed_sql(conn.dialect, definition)} = :value"
        params["value"] = custom_fields.comparable(definition, value)
    else:
        return None
    return await conn.fetch_all(
        f"SELECT r.* FROM {source} WHERE r.workspace_id = :ws AND r.is_deleted = false "
        f"AND {condition}{scope} ORDER BY r.id LIMIT :limit",
        params,
    )
