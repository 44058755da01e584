"""Paged lists whose deep pages cost what the first one does.

A page number maps to a cursor (the sort key of the last row before it), cached per process
and keyed on the kind's data version, so a later page starts from the nearest cached cursor
with keyset conditions instead of an OFFSET over every earlier row. Totals are cached the
same way. Any write bumps the version (kit.versions), which retires the cached entries.
Sort keys that may be NULL (custom fields among them) page with OFFSET, NULLs last.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
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
    # A column, or an SQL expression that `select` also names `sort_key`.
    sort: str
    descending: bool
    # Keyset paging needs a sort column that is never NULL; others page with OFFSET.
    keyset: bool
    version: Any
    sort_key: str = ""

    @property
    def key(self) -> str:
        """The name of the sort value in a row (for cursors)."""
        return self.sort_key or self.sort


async def total(conn: Conn, q: ListQuery) -> int:
    key = (conn.url, q.source, tuple(sorted(q.params.items())), q.version)
    found = _totals.get_fresh(key)
    if found is None:
        found = int(await conn.fetch_val(f"SELECT count(*) FROM {q.source}", q.params) or 0)
        _totals.put(key, found)
    return int(found)


async def page_rows(conn: Conn, q: ListQuery, page: int, per_page: int) -> list[Row]:
    if not q.keyset:
        return await _nulls_last_page(conn, q, (page - 1) * per_page, per_page)
    return await _keyset_page(conn, q, page, per_page)


async def _rows(
    conn: Conn, q: ListQuery, where: str, order: str, offset: int, limit: int
) -> list[Row]:
    return await conn.fetch_all(
        f"SELECT {q.select} FROM {q.source}{where} ORDER BY {order} LIMIT :limit OFFSET :offset",
        {**q.params, "limit": limit, "offset": offset},
    )


async def _nulls_last_page(conn: Conn, q: ListQuery, offset: int, per_page: int) -> list[Row]:
    """A page sorted on a key that may be NULL: rows with a value in its order, then the others
    by id. Ascending, that is the order of an index on (key, id), which both databases walk.
    Descending, PostgreSQL walks such an index with the NULLs first, so the rows with a value
    and those without are read apart, each in index order, rather than sorted."""
    if not q.descending:
        return await _rows(conn, q, "", f"{q.sort} ASC NULLS LAST, id ASC", offset, per_page)
    valued = await _rows(
        conn, q, f" AND {q.sort} IS NOT NULL", f"{q.sort} DESC, id DESC", offset, per_page
    )
    if len(valued) == per_page:
        return valued
    with_value = offset + len(valued)
    if offset and not valued:  # the page starts past them: how many are there?
        with_value = await total(conn, replace(q, source=f"{q.source} AND {q.sort} IS NOT NULL"))
    nulls = await _rows(
        conn,
        q,
        f" AND {q.sort} IS NULL",
        "id DESC",
        max(0, offset - with_value),
        per_page - len(valued),
    )
    return valued + nulls


async def _keyset_page(conn: Conn, q: ListQuery, page: int, per_page: int) -> list[Row]:
    base_key = (
        conn.url,  # one process may serve several databases (the test suite does)
        q.source,
        tuple(sorted(q.params.items())),
        q.sort,
        q.descending,
        per_page,
        q.version,
    )
    start_page, cursor = 1, None
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
    lead = 1 if offset > 0 else 0
    params["limit"] = per_page + lead
    params["offset"] = offset - lead
    direction = "DESC" if q.descending else "ASC"
    rows = await conn.fetch_all(
        f"SELECT {q.select} FROM {q.source}{where} ORDER BY {q.sort} {direction}, "
        f"id {direction} LIMIT :limit OFFSET :offset",
        params,
    )
    if lead and rows:
        before, rows = rows[0], rows[1:]
        _cursors.put((base_key, page), (before[q.key], before["id"]))
    if len(rows) == per_page:
        last = rows[-1]
        _cursors.put((base_key, page + 1), (last[q.key], last["id"]))
    return rows
