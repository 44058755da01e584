"""Paged lists whose deep pages cost what the first one does.

A page number maps to a cursor (the sort key of the last row before it), cached per process
and keyed on the kind's data version, so a later page starts from the nearest cached cursor
with keyset conditions instead of an OFFSET over every earlier row. Totals are cached the
same way. Any write bumps the version (kit.versions), which retires the cached entries.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from opensales.db import Conn, Row

_CACHE_SIZE = 20_000


class _LRU(OrderedDict[Any, Any]):
    def get_fresh(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > _CACHE_SIZE:
            self.popitem(last=False)


_cursors = _LRU()
_totals = _LRU()


@dataclass(frozen=True, slots=True)
class ListQuery:
    """`select` lists the columns, `source` is `table WHERE ...` (with every filter applied)."""

    select: str
    source: str
    params: dict[str, Any]
    sort: str
    descending: bool
    # Keyset paging needs a sort column that is never NULL; others page with OFFSET.
    keyset: bool
    version: Any


def _order(q: ListQuery) -> str:
    direction = "DESC" if q.descending else "ASC"
    if q.keyset:
        return f"{q.sort} {direction}, id {direction}"
    nulls = "NULLS LAST"
    return f"{q.sort} {direction} {nulls}, id {direction}"


async def total(conn: Conn, q: ListQuery) -> int:
    key = (conn.dialect, q.source, tuple(sorted(q.params.items())), q.version)
    found = _totals.get_fresh(key)
    if found is None:
        found = int(await conn.fetch_val(f"SELECT count(*) FROM {q.source}", q.params) or 0)
        _totals.put(key, found)
    return int(found)


async def page_rows(conn: Conn, q: ListQuery, page: int, per_page: int) -> list[Row]:
    base_key = (
        conn.dialect,  # one process may serve SQLite and PostgreSQL (the test suite does)
        q.source,
        tuple(sorted(q.params.items())),
        q.sort,
        q.descending,
        per_page,
        q.version,
    )
    start_page, cursor = 1, None
    if q.keyset:
        # The nearest cached cursor at or before this page.
        for candidate in range(page, max(1, page - 64), -1):
            cursor = _cursors.get_fresh((base_key, candidate))
            if cursor is not None:
                start_page = candidate
                break
    params = dict(q.params)
    where = ""
    if cursor is not None:
        op = "<" if q.descending else ">"
        where = f" AND ({q.sort}, id) {op} (:cursor_value, :cursor_id)"
        params["cursor_value"], params["cursor_id"] = cursor
    offset = (page - start_page) * per_page
    # Read the row just before the page too: it is this page's cursor for the next request.
    lead = 1 if q.keyset and offset > 0 else 0
    params["limit"] = per_page + lead
    params["offset"] = offset - lead
    rows = await conn.fetch_all(
        f"SELECT {q.select} FROM {q.source}{where} ORDER BY {_order(q)} "
        "LIMIT :limit OFFSET :offset",
        params,
    )
    if lead and rows:
        before, rows = rows[0], rows[1:]
        _cursors.put((base_key, page), (before[q.sort], before["id"]))
    if q.keyset and len(rows) == per_page:
        last = rows[-1]
        _cursors.put((base_key, page + 1), (last[q.sort], last["id"]))
    return rows
