"""GET /api/search: records and users whose names, emails, phones, companies or other text
match a query, typos forgiven, best first (docs/search/search.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from opensales.custom_module import service as custom_modules
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import custom_fields, modules
from opensales.kit.conditions import MAX_SHOWN
from opensales.kit.dates import format_timestamp
from opensales.kit.http import page_params
from opensales.kit.principal import Principal
from opensales.kit.search_index import digits, search_text
from opensales.search import ranking, repository

# What `include` names, as the tables of their records ("user" is the users themselves).
TYPES = {
    "contact": "contacts",
    "sales_account": "sales_accounts",
    "deal": "deals",
    "lead": "leads",
}
USER = "user"
DEFAULT_INCLUDE = "contact,sales_account,deal,user"
# At most this many rounds of typo candidates (repository.CANDIDATES each).
FUZZY_ROUNDS = 5
_CUSTOM_QUERY = re.compile(r"(cf_[a-z0-9_]+):(.*)\Z", re.DOTALL)


def type_of(table: str) -> str:
    """The `type` of a result: contact, sales_account, deal, or a module's entity name."""
    for name, own in TYPES.items():
        if own == table:
            return name
    return modules.entity_of(table) or table


async def _tables(conn: Conn, who: Principal, include: str) -> tuple[list[str], bool]:
    """The record tables `include` names, and whether it names users; 400 for the unknown."""
    tables: list[str] = []
    with_users = False
    for name in (part.strip() for part in include.split(",")):
        if name == USER:
            with_users = True
        elif name in TYPES:
            tables.append(TYPES[name])
        elif name and await custom_modules.by_entity(conn, who.workspace_id, name) is not None:
            tables.append(modules.table_of(who.workspace_id, name))
        elif name:
            raise ValidationError(f"Invalid value for include: {name[:MAX_SHOWN]}")
    return list(dict.fromkeys(tables)), with_users


async def search(conn: Conn, who: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
    raw = (query.get("q") or "").strip()
    if not raw:
        raise ValidationError("Invalid value for q: is required")
    _, limit = page_params(query)
    tables, with_users = await _tables(conn, who, query.get("include") or DEFAULT_INCLUDE)
    custom = _CUSTOM_QUERY.match(raw)
    if custom is not None:
        docs = await _by_custom_field(conn, who, tables, custom.group(1), custom.group(2))
        return await _render(conn, who, docs[:limit])
    parsed = ranking.parse(raw)
    found = await _ranked(conn, who, tables, parsed, limit)
    if with_users:
        people = [_user_document(u) for u in await repository.users(conn, who.workspace_id)]
        found += ranking.ranked(parsed, people)
        found.sort(key=lambda pair: (-pair[0][0], pair[0][1]))
    return await _render(conn, who, [doc for _, doc in found[:limit]])


async def _ranked(
    conn: Conn, who: Principal, tables: Sequence[str], query: ranking.Query, limit: int
) -> list[tuple[tuple[int, int], Row]]:
    """Documents holding every word; when fewer than a page, those within a typo or two of
    them too, from candidates holding any of each word's trigrams: more rounds of them
    (SQLite, where they come in id order) while the page is not full."""
    words = query.indexed_words
    if not words:
        return []
    docs = await repository.matching(conn, who, tables, [[w] for w in words])
    found = ranking.ranked(query, docs)
    if len(found) >= limit or not query.fuzzy:
        return found
    seen = {d["id"] for d in docs}
    groups = [ranking.trigrams(w) for w in words]
    after = 0
    for _ in range(FUZZY_ROUNDS if conn.dialect == "sqlite" else 1):
        more = await repository.matching(conn, who, tables, groups, after)
        found += ranking.ranked(query, [d for d in more if d["id"] not in seen])
        if len(more) < repository.CANDIDATES or len(found) >= limit:
            break
        after = more[-1]["id"]
    found.sort(key=lambda pair: (-pair[0][0], pair[0][1]))
    return found


async def _by_custom_field(
    conn: Conn, who: Principal, tables: Sequence[str], name: str, raw: str
) -> list[Row]:
    """`cf_field:value`: the records of every included kind with that field holding value."""
    docs: list[Row] = []
    defined = False
    for table in tables:
        field = (await custom_fields.definitions(conn, who.workspace_id, table)).get(name)
        if field is None:
            continue
        defined = True
        if field["type"] not in custom_fields.ORDERED_TYPES:
            raise ValidationError(
                f"Invalid value for q: {name} ({field['type']}) is not searchable"
            )
        value = custom_fields.comparable(field, raw.strip())
        value_sql = custom_fields.typed_sql(conn.dialect, field)
        docs += await repository.with_custom_value(conn, who, table, value_sql, value)
    if not defined:
        raise ValidationError(f"Invalid value for q: no custom field {name[:MAX_SHOWN]}")
    return docs


def _user_document(user: Row) -> Row:
    phone = digits(user["mobile_number"])
    return {
        "entity_table": "users",
        "record_id": user["id"],
        "owner_id": None,
        "name": user["display_name"],
        "email": user["email"],
        "company": None,
        "text": search_text([user["display_name"], user["email"], phone]),
        "updated_at": user["updated_at"],
    }


async def _render(conn: Conn, who: Principal, docs: Sequence[Row]) -> list[dict[str, Any]]:
    owners = {d["owner_id"] for d in docs if d["owner_id"] is not None}
    names = await repository.user_names(conn, who.workspace_id, sorted(owners))
    return [
        {
            "id": str(doc["record_id"]),
            "type": USER if doc["entity_table"] == "users" else type_of(doc["entity_table"]),
            "name": doc["name"],
            "email": doc["email"],
            "avatar": None,
            "company_name": doc["company"],
            "owner": None
            if doc["owner_id"] is None
            else {"id": doc["owner_id"], "name": names.get(doc["owner_id"])},
            "updated_at": format_timestamp(doc["updated_at"]),
        }
        for doc in docs
    ]
