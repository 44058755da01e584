"""Bench scenario `custom_module`: a custom module's view of 200,000 records, filtered and
sorted on a decimal custom field (`cf_price > 450,000`, about half of them, by price, highest
first).

The module, its field and the view are made when the dataset is built (bench/dataset.py),
the module and the field through the app's own services, so that the records table and the
field's index are exactly what the forms API makes; the view's row as saved views will store
it (no API saves conditions yet); the records bulk-inserted with sqlite3, their table's
indexes dropped during the load and rebuilt after it from their own stored SQL.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Callable

import httpx

ENTITY = "cm_listing"
FIELD = "cf_price"
RECORDS = 200_000
THRESHOLD = 450_000
NO_PRICE = 0.1  # the share of records without a price
PER_PAGE = 25
VIEW_NAME = "Listings over 450,000"
LABEL = f"GET a custom module's view, {FIELD} > {THRESHOLD:,} by price ({RECORDS:,} records)"
COLUMNS = (
    "workspace_id",
    "name",
    "owner_id",
    "creater_id",
    "updater_id",
    "territory_id",
    "custom_field",
    "is_deleted",
    "created_at",
    "updated_at",
)


def table_of(workspace_id: int) -> str:
    from opensales.kit.modules import table_of

    return table_of(workspace_id, ENTITY)


def define(db_path: str, admin_email: str) -> None:
    """The module, its field and its view (before the dataset's bulk load)."""
    db = sqlite3.connect(db_path)
    try:
        workspace_id, admin_id = db.execute(
            "SELECT workspace_id, id FROM users WHERE email = ?", (admin_email,)
        ).fetchone()
    finally:
        db.close()
    asyncio.run(_define(db_path, workspace_id, admin_id))


def load(
    conn: sqlite3.Connection,
    workspace_id: int,
    admin_id: int,
    now: float,
    stamp: Callable[[float], str],
) -> None:
    """RECORDS records of the module (inside the dataset's bulk load)."""
    table = table_of(workspace_id)
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name = ?",
        (table,),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        _rows(workspace_id, admin_id, now, stamp),
    )
    conn.execute(
        "UPDATE data_versions SET version = version + 1, live_count = ? "
        "WHERE workspace_id = ? AND entity_type = ?",
        (RECORDS, workspace_id, table),
    )
    conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql)


def _rows(
    workspace_id: int, admin_id: int, now: float, stamp: Callable[[float], str]
) -> list[tuple[object, ...]]:
    rng = random.Random(20261202)
    span = 2 * 365 * 86400
    rows: list[tuple[object, ...]] = []
    for n in range(1, RECORDS + 1):
        created = now - span + span * (n - 1) / RECORDS
        price = None if rng.random() < NO_PRICE else round(rng.uniform(0, 1_000_000), 2)
        custom = json.dumps({} if price is None else {FIELD: price})
        at = stamp(created)
        rows.append(
            (workspace_id, f"Listing {n}", admin_id, admin_id, admin_id, None, custom, 0, at, at)
        )
    return rows


async def _define(db_path: str, workspace_id: int, admin_id: int) -> None:
    """The module and its decimal field through the app's services, and the view's row."""
    from opensales.custom_module import service
    from opensales.custom_module.kind import model_class
    from opensales.db import create_database
    from opensales.kit.dates import utcnow
    from opensales.kit.principal import Principal
    from opensales.settings import field_admin

    db = create_database(f"sqlite:///{db_path}")
    await db.connect()
    who = Principal(admin_id, workspace_id, "admin", None, "UTC", "Bench", "bench@example.com")
    try:
        async with db.transaction() as tx:
            module = await service.create(
                tx,
                who,
                {"singular_name": "Listing", "plural_name": "Listings", "icon": "icon-cm-sku"},
            )
            table = table_of(workspace_id)
            field = {
                "label": "Price",
                "internal_name": FIELD.removeprefix("cf_"),
                "type": "decimal",
            }
            await field_admin.create_field(
                tx, who, table, model_class(module), "1", {"field": field}
            )
            now = utcnow()
            await tx.execute(
                "INSERT INTO views (workspace_id, entity_type, number, name, is_default, "
                "is_public, user_id, conditions, sort_field, sort_type, created_at, updated_at) "
                "SELECT :ws, :t, max(number) + 1, :name, false, true, NULL, :c, 'updated_at', "
                "'desc', :now, :now FROM views WHERE workspace_id = :ws AND entity_type = :t",
                {
                    "ws": workspace_id,
                    "t": table,
                    "name": VIEW_NAME,
                    "c": {
                        "rules": [
                            {"attribute": FIELD, "operator": "greater_than", "value": THRESHOLD}
                        ]
                    },
                    "now": now,
                },
            )
    finally:
        await db.close()


def check(http: httpx.Client, db_path: str, workspace_id: int) -> tuple[str, int, float]:
    """The view's first page and total match the table, and the query the app runs for it
    walks the field's index: (path to request, body size, first request's ms)."""
    table = table_of(workspace_id)
    value = f"json_extract(custom_field, '$.\"{FIELD}\"')"
    # As the app asks it: a module's table holds one workspace (kit/views.py).
    where = f"true AND is_deleted = false AND {value} > ?"
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        number = db.execute(
            "SELECT number FROM views WHERE workspace_id = ? AND entity_type = ? AND name = ?",
            (workspace_id, table, VIEW_NAME),
        ).fetchone()[0]
        count_sql = f"SELECT count(*) FROM {table} WHERE {where}"
        total = db.execute(count_sql, (THRESHOLD,)).fetchone()[0]
        page_sql = f"SELECT id FROM {table} WHERE {where} ORDER BY {value} DESC, id DESC LIMIT ?"
        page_params = (THRESHOLD, PER_PAGE)
        expected = [r[0] for r in db.execute(page_sql, page_params)]
        plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + page_sql, page_params))
    finally:
        db.close()
    if "ix_cf_" not in plan or "TEMP B-TREE" in plan:
        raise SystemExit(f"bench: the view's query does not walk the field's index: {plan}")
    path = f"/api/custom_module/{ENTITY}/view/{number}?sort={FIELD}&sort_type=desc"
    # The module's first request builds its kind and routes' models: not what is measured.
    http.get(f"/api/custom_module/{ENTITY}/view/1?per_page=1")
    started = time.perf_counter()
    response = http.get(path)
    first_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {path} answered {response.status_code}: {response.text}")
    body = json.loads(response.content)
    ids = [r["id"] for r in body[ENTITY]]
    if body["meta"]["total"] != total or ids != expected:
        raise SystemExit(
            f"bench: GET {path} says total {body['meta']['total']} with {ids[:3]}..., "
            f"the table has {total} with {expected[:3]}..."
        )
    print(
        f"bench:   {total:,} of {RECORDS:,} records match, the first page checks out "
        f"(first request {first_ms:.0f} ms) and walks {plan.split('USING INDEX ')[-1]}"
    )
    return path, len(http.get(path).content), first_ms
