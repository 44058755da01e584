"""Candidate documents for a search, from the trigram index of each database.

SQLite matches with the FTS5 trigram table (search_fts), PostgreSQL with LIKE patterns that
its pg_trgm GIN index serves. Both take at most CANDIDATES live documents of the workspace
that the user may see; ranking is then done in Python (search/ranking.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensales.db import Conn, Row
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal

CANDIDATES = 200
_COLUMNS = (
    "d.id, d.entity_table, d.record_id, d.owner_id, d.name, d.email, d.company, d.text, "
    "d.updated_at"
)


def _quoted(term: str) -> str:
    """An FTS5 string: the term as it is, double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _regex(term: str) -> str:
    """The term as a literal in a PostgreSQL regular expression."""
    return "".join(c if c.isalnum() or c == " " else "\\" + c for c in term)


def _visible(who: Principal, tables: Sequence[str]) -> tuple[str, dict[str, Any]]:
    clause, params = in_clause("t", tables)
    scope, scope_params = who.scope_sql("d")
    return (
        f"d.workspace_id = :ws AND d.is_deleted = false AND d.entity_table IN {clause}{scope}",
        {"ws": who.workspace_id, **params, **scope_params},
    )


async def matching(
    conn: Conn,
    who: Principal,
    tables: Sequence[str],
    groups: Sequence[Sequence[str]],
    after: int = 0,
) -> list[Row]:
    """Documents holding, for every group, at least one of its terms (substrings). On SQLite
    they come in id order, and `after` continues from the last one seen."""
    if not tables or not groups:
        return []
    where, params = _visible(who, tables)
    params["limit"] = CANDIDATES
    if conn.dialect == "postgresql":
        conditions = []
        for g, group in enumerate(groups):
            # One pattern per group: the GIN index serves an alternation as one scan, where
            # ORed LIKEs lead the planner to scan the table.
            if len(group) == 1:
                params[f"m{g}"] = _like(group[0])
                conditions.append(f"d.text LIKE :m{g}")
            else:
                params[f"m{g}"] = "(" + "|".join(_regex(term) for term in group) + ")"
                conditions.append(f"d.text ~ :m{g}")
        return await conn.fetch_all(
            f"SELECT {_COLUMNS} FROM search_documents d WHERE {where} "
            f"AND {' AND '.join(conditions)} LIMIT :limit",
            params,
        )
    params["match"] = " AND ".join(
        "(" + " OR ".join(_quoted(term) for term in group) + ")" for group in groups
    )
    return await conn.fetch_all(
        f"SELECT {_COLUMNS} FROM search_fts f CROSS JOIN search_documents d ON d.id = f.rowid "
        f"WHERE search_fts MATCH :match AND f.rowid > :after AND {where} LIMIT :limit",
        {**params, "after": after},
    )


async def with_custom_value(
    conn: Conn, who: Principal, table: str, value_sql: str, value: Any
) -> list[Row]:
    """Documents of live records of `table` whose custom field (`value_sql`, the field's
    indexed expression) holds `value`."""
    scope, params = who.scope_sql("r")
    return await conn.fetch_all(
        f"SELECT {_COLUMNS} FROM {table} r JOIN search_documents d ON d.workspace_id = :ws "
        "AND d.entity_table = :t AND d.record_id = r.id WHERE r.workspace_id = :ws "
        f"AND r.is_deleted = false AND {value_sql} = :value{scope} LIMIT :limit",
        {"ws": who.workspace_id, "t": table, "value": value, "limit": CANDIDATES, **params},
    )


async def users(conn: Conn, workspace_id: int) -> list[Row]:
    """The workspace's active users (a workspace has a few hundred at most)."""
    return await conn.fetch_all(
        "SELECT id, display_name, email, mobile_number, updated_at FROM users "
        "WHERE workspace_id = :ws AND is_active = true ORDER BY id LIMIT 2000",
        {"ws": workspace_id},
    )


async def user_names(conn: Conn, workspace_id: int, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    clause, params = in_clause("u", ids)
    rows = await conn.fetch_all(
        f"SELECT id, display_name FROM users WHERE workspace_id = :ws AND id IN {clause}",
        {"ws": workspace_id, **params},
    )
    return {r["id"]: r["display_name"] for r in rows}
