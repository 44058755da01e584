"""The search index: one document per contact, account, deal and custom module record, written
in the transaction of every write of the record (create, update, owner change, soft delete,
restore, forget), and matched by trigrams (see docs/search/search.md).

A document is rebuilt from its record's rows, never patched: `refresh` reads the record (with
its emails and its company) and upserts the document. The SQL that reads records and
`document()` that shapes them also serve the migration's backfill and the benchmark's
dataset, so that every document is made the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opensales.db import Conn, Row
from opensales.kit import modules
from opensales.kit.options import in_clause

TABLES = ("contacts", "sales_accounts", "deals", "leads")
COLUMNS = (
    "workspace_id",
    "entity_table",
    "record_id",
    "owner_id",
    "territory_id",
    "is_deleted",
    "name",
    "email",
    "phone",
    "company",
    "text",
    "updated_at",
)
UPSERT = (
    f"INSERT INTO search_documents ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)}) "
    "ON CONFLICT (workspace_id, entity_table, record_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[3:])
)
_COMMON = "r.id, r.workspace_id, r.owner_id, r.territory_id, r.is_deleted, r.updated_at, r.name"
# Each kind's searchable values; `{where}` filters `r`, the record's table.
_SOURCES = {
    "contacts": (
        "SELECT r.id, r.workspace_id, r.owner_id, r.territory_id, r.is_deleted, r.updated_at, "
        "r.display_name AS name, r.email, r.mobile_number AS phone, r.work_number, "
        "r.job_title, r.city, r.country, r.external_id, a.name AS company FROM contacts r "
        "LEFT JOIN contact_accounts l ON l.contact_id = r.id AND l.is_primary = true "
        "LEFT JOIN sales_accounts a ON a.id = l.sales_account_id AND a.is_deleted = false "
        "WHERE {where}"
    ),
    "sales_accounts": (
        f"SELECT {_COMMON}, r.phone, r.website, r.city, r.country FROM sales_accounts r "
        "WHERE {where}"
    ),
    "deals": (
        f"SELECT {_COMMON}, a.name AS company FROM deals r "
        "LEFT JOIN sales_accounts a ON a.id = r.sales_account_id AND a.is_deleted = false "
        "WHERE {where}"
    ),
    "leads": (
        "SELECT r.id, r.workspace_id, r.owner_id, r.territory_id, r.is_deleted, r.updated_at, "
        "r.display_name AS name, r.email, r.mobile_number AS phone, r.work_number, "
        "r.job_title, r.city, r.country, r.company_name AS company FROM leads r WHERE {where}"
    ),
}
# Values that go into a document's text besides its name, company, emails and phone.
_EXTRA = ("work_number", "job_title", "city", "country", "external_id", "website")
_NOT_DIGIT = re.compile(r"\D+")
_SLICE = 500


def indexed(table: str) -> bool:
    """Whether records of the table are searchable (products, documents... are not)."""
    return table in TABLES or modules.is_module_table(table)


def source_sql(table: str, where: str) -> str:
    """The statement that reads the table's records (alias `r`) for their documents."""
    found = _SOURCES.get(table)
    if found is None:
        return f"SELECT {_COMMON} FROM {table} r WHERE {where}"
    return found.format(where=where)


EMAILS_SQL = "SELECT contact_id, value FROM contact_emails WHERE contact_id IN {ids} ORDER BY id"


def digits(value: Any) -> str:
    return _NOT_DIGIT.sub("", value) if isinstance(value, str) else ""


def document(table: str, row: Row, emails: Sequence[str] = ()) -> dict[str, Any]:
    """The search document of one record, from its `source_sql` row and its emails."""
    phones = [digits(row.get(k)) for k in ("phone", "work_number")]
    words = [row["name"], row.get("company"), row.get("email"), *emails, *phones]
    words += [row.get(k) for k in _EXTRA if k != "work_number"]
    return {
        "workspace_id": row["workspace_id"],
        "entity_table": table,
        "record_id": row["id"],
        "owner_id": row["owner_id"],
        "territory_id": row["territory_id"],
        "is_deleted": bool(row["is_deleted"]),
        "name": row["name"],
        "email": row.get("email"),
        "phone": next((p for p in phones if p), None),
        "company": row.get("company"),
        "text": search_text(dict.fromkeys(words)),  # the primary email is in both
        "updated_at": row["updated_at"],
    }


def search_text(values: Iterable[Any]) -> str:
    """Lower-case words, one space apart and around: " olivia johnson acme 15550100 "."""
    words = " ".join(str(v) for v in values if v not in (None, ""))
    return " " + " ".join(words.lower().split()) + " "


async def _emails(conn: Conn, ids: Sequence[int]) -> dict[int, list[str]]:
    clause, params = in_clause("e", ids)
    found: dict[int, list[str]] = {}
    for row in await conn.fetch_all(EMAILS_SQL.format(ids=clause), params):
        found.setdefault(row["contact_id"], []).append(row["value"])
    return found


async def refresh(conn: Conn, table: str, ids: Sequence[int]) -> None:
    """Rewrite the documents of these records from their rows as they now stand."""
    if not indexed(table):
        return
    # In slices: an account's contacts may outnumber the parameters a statement takes.
    for start in range(0, len(ids), _SLICE):
        part = ids[start : start + _SLICE]
        clause, params = in_clause("r", part)
        rows = await conn.fetch_all(source_sql(table, f"r.id IN {clause}"), params)
        emails = await _emails(conn, part) if table == "contacts" else {}
        docs = [document(table, r, emails.get(r["id"], ())) for r in rows]
        if docs:
            await conn.execute_many(UPSERT, docs)


async def linked(conn: Conn, table: str, ids: Sequence[int]) -> dict[str, list[int]]:
    """The records whose documents show these accounts' names as their company: read before
    an account is renamed, deleted or forgotten, refreshed after (`refresh_linked`)."""
    if table != "sales_accounts" or not ids:
        return {}
    clause, params = in_clause("a", ids)
    contacts = await conn.fetch_all(
        "SELECT contact_id FROM contact_accounts WHERE is_primary = true "
        f"AND sales_account_id IN {clause}",
        params,
    )
    deals = await conn.fetch_all(f"SELECT id FROM deals WHERE sales_account_id IN {clause}", params)
    return {
        "contacts": [r["contact_id"] for r in contacts],
        "deals": [r["id"] for r in deals],
    }


async def refresh_linked(conn: Conn, found: Mapping[str, Sequence[int]]) -> None:
    for table, ids in found.items():
        await refresh(conn, table, ids)


async def changed(conn: Conn, table: str, ids: Sequence[int], *, company: bool) -> None:
    """After a write: the records' documents, and, when `company` (an account's name or
    life changed), the documents that show it as their company."""
    await refresh(conn, table, ids)
    if company:
        await refresh_linked(conn, await linked(conn, table, ids))


async def forget(
    conn: Conn, workspace_id: int, table: str, ids: Sequence[int], was_linked: Mapping[str, Any]
) -> None:
    """Drop the documents of records deleted for good; `was_linked` (read by `linked` before
    the delete) lose the company they showed."""
    if not ids or not indexed(table):
        return
    clause, params = in_clause("r", ids)
    await conn.execute(
        "DELETE FROM search_documents WHERE workspace_id = :ws AND entity_table = :t "
        f"AND record_id IN {clause}",
        {"ws": workspace_id, "t": table, **params},
    )
    await refresh_linked(conn, was_linked)


async def drop_table(conn: Conn, workspace_id: int, table: str) -> None:
    """A custom module's documents, when the module goes."""
    await conn.execute(
        "DELETE FROM search_documents WHERE workspace_id = :ws AND entity_table = :t",
        {"ws": workspace_id, "t": table},
    )
