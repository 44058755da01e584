"""A fixture of records, written through each resource's own service so that every rule
holds (validation, defaults, search documents, timelines) as if it came over the API.

    {"sales_accounts": [{"ref": "acme", "name": "Acme"}],
     "contacts": [{"first_name": "Ada", "sales_accounts": [{"id": {"$ref": "acme"}}]}]}

A record's `ref` names it; `{"$ref": name}` anywhere in a later record stands for its id.
Kinds load in dependency order (users, accounts, contacts, deals, products, then the
activities that hang on them), whatever their order in the fixture.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from opensales.account.service import account_service
from opensales.appointment import service as appointments
from opensales.contact.service import contact_service
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.errors import OpenSalesError, ValidationError
from opensales.kit.principal import Principal
from opensales.note import service as notes
from opensales.phone_call import service as phone_calls
from opensales.product.service import product_service
from opensales.sales_activity import service as sales_activities
from opensales.task import service as tasks
from opensales.user.service import create_user

Create = Callable[[Conn, Principal, dict[str, Any]], Awaitable[Any]]


async def _user(conn: Conn, who: Principal, data: dict[str, Any]) -> int:
    fields = {k: data[k] for k in ("display_name", "role", "api_key", "time_zone") if k in data}
    if not isinstance(data.get("email"), str):
        raise ValidationError("Invalid value for email: is required")
    user_id, _ = await create_user(conn, who.workspace_id, email=data["email"], **fields)
    return user_id


LOADERS: dict[str, Create] = {
    "users": _user,
    "sales_accounts": account_service.create,
    "contacts": contact_service.create,
    "deals": deal_service.create,
    "products": product_service.create,
    "notes": notes.create,
    "tasks": tasks.create,
    "appointments": appointments.create,
    "phone_calls": phone_calls.create,
    "sales_activities": sales_activities.create,
}
ALIASES = {"accounts": "sales_accounts"}
# What the record services answer, by the key their envelope uses.
ENVELOPES = ("appointment", "phone_call")


def _id_of(created: Any) -> int:
    if isinstance(created, int):
        return created
    for key in ENVELOPES:
        if key in created:
            return int(created[key]["id"])
    return int(created["id"])


def _resolve(value: Any, refs: dict[str, int]) -> Any:
    if isinstance(value, dict):
        if list(value) == ["$ref"]:
            name = value["$ref"]
            if name not in refs:
                raise ValidationError(f"Invalid value for $ref: no record named {name!r} before")
            return refs[name]
        return {k: _resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    return value


def _kinds(fixture: dict[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for key, records in fixture.items():
        kind = ALIASES.get(key, key)
        if kind not in LOADERS:
            raise ValidationError(f"Invalid fixture key {key!r}: one of {', '.join(LOADERS)}")
        if not isinstance(records, list):
            raise ValidationError(f"Invalid value for {key}: must be a list of records")
        found.setdefault(kind, []).extend(records)
    return found


async def load(conn: Conn, who: Principal, fixture: dict[str, Any]) -> dict[str, Any]:
    """Write every record as `who`; answers the new ids by kind and by ref."""
    kinds = _kinds(fixture)
    refs: dict[str, int] = {}
    ids: dict[str, list[int]] = {}
    for kind, create in LOADERS.items():
        for n, record in enumerate(kinds.get(kind, [])):
            if not isinstance(record, dict):
                raise ValidationError(f"Invalid value for {kind}[{n}]: must be an object")
            ref = record.get("ref")
            body = _resolve({k: v for k, v in record.items() if k != "ref"}, refs)
            try:
                new_id = _id_of(await create(conn, who, body))
            except OpenSalesError as exc:
                raise type(exc)(f"{kind}[{n}]: {exc.message}", exc.status_code) from None
            ids.setdefault(kind, []).append(new_id)
            if isinstance(ref, str):
                refs[ref] = new_id
    return {"ids": ids, "refs": refs}
