"""Snapshots on PostgreSQL: a snapshot is a schema holding a copy of every table and of the
sequences' positions. A restore copies back only what differs: the tables changed since the
live data last matched that snapshot (a table's row count and newest xmin tell), with every
table whose rows point at one of them (emptying a parent cascades into its children), in one
script. Emptying is DELETE, children first: far quicker than TRUNCATE on the few rows tests
make. See state.py for why data versions are lifted.
"""

from __future__ import annotations

import uuid

from opensales.db import Conn, PostgresDatabase
from opensales.models import Base
from opensales.models.custom_records import create_statements
from opensales.test_control.state import HIGHEST, LIFT, check_start, never_reuses_ids
from opensales.user.service import forget_cached_keys

# (rows, newest xmin): any insert, update or delete changes it.
Signature = tuple[int, int]
_ORDER = {table.name: n for n, table in enumerate(Base.metadata.sorted_tables)}


class PostgresStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        # The snapshot the live tables last matched, and each table's signature then.
        self._matched: tuple[str, dict[str, Signature]] | None = None

    async def capture(self) -> str:
        schema = f"opensales_snapshot_{uuid.uuid4().hex[:12]}"
        async with self.db.transaction() as tx:
            live = await _tables(tx)
            await tx.execute(f'CREATE SCHEMA "{schema}"')
            for table in live:
                await tx.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
            await tx.execute(
                f'CREATE TABLE "{schema}"._sequences AS SELECT sequencename AS name, '
                "last_value AS value FROM pg_sequences WHERE schemaname = 'public'"
            )
            matched = (schema, await _signatures(tx, live))
        self._matched = matched
        return schema

    async def restore(self, schema: str) -> None:
        self._matched, matched = None, self._matched
        async with self.db.transaction() as tx:
            highest = int(await tx.fetch_val(HIGHEST))
            saved, live = await _tables(tx, schema), await _tables(tx)
            known: dict[str, Signature] = matched[1] if matched and matched[0] == schema else {}
            now = await _signatures(tx, live)
            changed = {t for t in live if known.get(t) != now[t]} | (set(saved) - set(live))
            stale = _with_children(changed, await _children(tx))
            script = _script(schema, saved, live, stale, highest + 1)
            await tx.execute(";\n".join(script))  # one round trip
            after = await _signatures(tx, saved)
        self._matched = (schema, after)
        forget_cached_keys()

    async def discard(self, schema: str) -> None:
        if self._matched and self._matched[0] == schema:
            self._matched = None
        async with self.db.transaction() as tx:
            await tx.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    async def start_ids(self, start: int) -> None:
        async with self.db.transaction() as tx:
            tables = [t for t in await _tables(tx) if never_reuses_ids(t)]
            await check_start(tx, start, tables)
            for table in tables:
                await tx.fetch_val(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), :start, false)",
                    {"t": f'public."{table}"', "start": start},
                )


async def _tables(tx: Conn, schema: str = "public") -> list[str]:
    rows = await tx.fetch_all(
        "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
        "AND tablename NOT IN ('alembic_version', '_sequences') ORDER BY tablename",
        {"schema": schema},
    )
    return [r["tablename"] for r in rows]


async def _signatures(tx: Conn, tables: list[str]) -> dict[str, Signature]:
    if not tables:
        return {}
    rows = await tx.fetch_all(
        " UNION ALL ".join(
            f"SELECT '{t}' AS name, count(*) AS n, "
            f'coalesce(max(xmin::text::bigint), 0) AS x FROM public."{t}"'
            for t in tables
        )
    )
    return {r["name"]: (int(r["n"]), int(r["x"])) for r in rows}


async def _children(tx: Conn) -> dict[str, set[str]]:
    """The tables whose rows point at each table's, by foreign key."""
    rows = await tx.fetch_all(
        "SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
        "WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace"
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        if row["child"] != row["parent"]:
            found.setdefault(row["parent"], set()).add(row["child"])
    return found


def _with_children(tables: set[str], children: dict[str, set[str]]) -> set[str]:
    found, todo = set(tables), list(tables)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _parents_first(table: str) -> int:
    """Migrated tables in dependency order; the modules' tables, which point only at
    migrated ones, last."""
    return _ORDER.get(table, len(_ORDER))


def _script(
    schema: str, saved: list[str], live: list[str], stale: set[str], lift: int
) -> list[str]:
    """Drop the modules' tables made since, make again those dropped since, and empty and
    refill the stale tables; then the sequences' positions, and the lifted versions."""
    refill = sorted((t for t in saved if t in stale), key=_parents_first)
    made_again = [s for t in saved if t not in live for s in create_statements(t, "postgresql")]
    return [
        *(f'DROP TABLE public."{t}" CASCADE' for t in live if t not in saved),
        *made_again,
        *(f'DELETE FROM public."{t}"' for t in reversed(refill) if t in live),
        *(f'INSERT INTO public."{t}" SELECT * FROM "{schema}"."{t}"' for t in refill),
        "SELECT setval(format('public.%I', name)::regclass, coalesce(value, 1), "
        f'value IS NOT NULL) FROM "{schema}"._sequences',
        LIFT.replace(":lift", str(lift)),
    ]
