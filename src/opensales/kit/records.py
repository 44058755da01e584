"""The service every kind of record shares: read, create, update, clone, soft delete, forget,
bulk delete and assign, and the rules that hold for all of them.

A resource's service subclasses RecordService and fills in its hooks (`prepare`,
`save_nested`, `decorate`, `after_delete`, `clone_payload`); the HTTP surface for all of it
is kit.routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import (
    custom_fields,
    engagement,
    search_index,
    sideload,
    team,
    timeline,
    upsert,
    versions,
)
from opensales.kit.dates import utcnow
from opensales.kit.fields import RENDER, json_value
from opensales.kit.http import unwrap, validate
from opensales.kit.kind import Kind
from opensales.kit.options import in_clause, option
from opensales.kit.principal import Principal


def insert_sql(table: str, columns: Sequence[str], *, returning: bool = True) -> str:
    names = ", ".join(columns)
    marks = ", ".join(f":{c}" for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    return sql + " RETURNING id" if returning else sql


def update_sql(table: str, columns: Sequence[str]) -> str:
    sets = ", ".join(f"{c} = :{c}" for c in columns)
    return f"UPDATE {table} SET {sets} WHERE id = :id AND workspace_id = :workspace_id"


RECORD_TABLES = ("contacts", "sales_accounts", "deals")


async def ref_exists(conn: Conn, who: Principal, ref: str, value: Any) -> bool:
    """Whether the user, live record or option `value` of `ref` exists in the workspace."""
    if ref == "users":
        found = await conn.fetch_val(
            "SELECT id FROM users WHERE id = :id AND workspace_id = :ws",
            {"id": value, "ws": who.workspace_id},
        )
    elif ref in RECORD_TABLES:
        # A record the user may not see is, to them, a record that does not exist.
        scope, params = who.scope_sql()
        found = await conn.fetch_val(
            f"SELECT id FROM {ref} WHERE id = :id AND workspace_id = :ws AND is_deleted = false"
            f"{scope}",
            {"id": value, "ws": who.workspace_id, **params},
        )
    else:
        found = await option(conn, who.workspace_id, ref, value)
    return bool(found)


class RecordService:
    kind: Kind
    # Upsert identifiers: other names for a unique field, and names refused with a reason.
    identifier_aliases: dict[str, str] = {}
    refused_identifiers: dict[str, str] = {}
    # Sideloads sent with every response of this kind (deals always carry their users).
    always_include: tuple[str, ...] = ()
    # Fields whose changes the kind records in timeline entries of their own (a deal's stage).
    own_entries: tuple[str, ...] = ()

    # --- hooks --------------------------------------------------------------------------

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> Any:
        """Check the kind's rules and derive values before the row is written; what it
        returns (a plan for nested rows) is handed to `save_nested`."""
        return None

    async def save_nested(
        self, conn: Conn, who: Principal, record_id: int, plan: Any, existing: Row | None
    ) -> None:
        """Write what belongs to the record beyond its own row (emails, links, ...)."""

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        """Add computed keys to rendered full records."""

    async def after_delete(
        self, conn: Conn, who: Principal, rows: Sequence[Row], *, cascade: bool
    ) -> None:
        """Keep related records right once rows are soft-deleted or forgotten."""

    async def before_restore(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        """Refuse (400) a restore the kind's rules forbid, before anything is written."""

    async def after_restore(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        """Undo what `after_delete` did when rows come back from the recycle bin."""

    async def clone_payload(self, conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
        """The create body that copies `row`: every writable attribute in its wire form."""
        payload: dict[str, Any] = {}
        for f in self.kind.writable:
            value = row.get(f.name)
            conv = RENDER[f.type]
            payload[f.name] = conv(value) if conv is not None and value is not None else value
        # A copy cannot point at a record deleted since (the source still may, for a restore).
        payload["custom_field"] = await custom_fields.still_valid(
            conn, who, self.kind.table, json_value(row["custom_field"])
        )
        for f in self.kind.writable:
            value = payload[f.name]
            if f.ref in RECORD_TABLES and value is not None:
                payload[f.name] = value if await ref_exists(conn, who, f.ref, value) else None
        return payload

    # --- reading ------------------------------------------------------------------------

    async def decorate_partial(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        """Add computed keys to the rows of a view."""

    async def find(
        self, conn: Conn, who: Principal, record_id: int | None, *, scoped: bool = True
    ) -> Row:
        """The live record with this id that the user may see, else 404.

        Unscoped reads serve the answer to a write the user just made (a rep may hand a
        record to someone else and still be told what it now looks like).
        """
        row = None
        if record_id is not None:
            scope, params = who.scope_sql() if scoped else ("", {})
            row = await conn.fetch_one(
                f"SELECT * FROM {self.kind.table} WHERE id = :id AND workspace_id = :ws "
                f"AND is_deleted = false{scope}",
                {"id": record_id, "ws": who.workspace_id, **params},
            )
        if row is None:
            raise NotFoundError(f"{self.kind.label} not found")
        return row

    async def render_full(
        self, conn: Conn, who: Principal, rows: Sequence[Row]
    ) -> list[dict[str, Any]]:
        """Full records: the kind's columns, the kind's own keys, what every record carries."""
        outs = [self.kind.render(r) for r in rows]
        await self.decorate(conn, who, rows, outs)
        # A kind's decorate may read the team ids along with its own (a contact's do).
        pending = [
            row["id"] for row, out in zip(rows, outs, strict=True) if "team_user_ids" not in out
        ]
        teams = await team.member_ids(conn, self.kind.table, pending) if pending else {}
        for row, out in zip(rows, outs, strict=True):
            out["avatar"] = None
            out["tags"] = []
            if row["id"] in teams:
                out["team_user_ids"] = teams[row["id"]]
        return outs

    async def envelope(
        self, conn: Conn, who: Principal, row: Row, handles: Sequence[str] = ()
    ) -> dict[str, Any]:
        """`{"<singular>": record, <sideloads>}`: the primary record first."""
        outs = await self.render_full(conn, who, [row])
        handles = [*self.always_include, *handles]
        side = await sideload.apply(
            conn, who, self.kind.includes, handles, [row], outs, table=self.kind.table
        )
        return {self.kind.singular: outs[0], **side}

    async def get(
        self,
        conn: Conn,
        who: Principal,
        record_id: int | None,
        handles: Sequence[str] = (),
        *,
        scoped: bool = True,
    ) -> dict[str, Any]:
        row = await self.find(conn, who, record_id, scoped=scoped)
        return await self.envelope(conn, who, row, handles)

    async def activities(
        self, conn: Conn, who: Principal, record_id: int | None, query: dict[str, str]
    ) -> dict[str, Any]:
        """The record's timeline, newest first (`limit`, `page`, `include=user`)."""
        row = await self.find(conn, who, record_id)
        return await timeline.read(conn, who, (self.kind.table, row["id"]), query)

    # --- writing ------------------------------------------------------------------------

    def _values(self, payload: BaseModel) -> dict[str, Any]:
        sent = payload.model_fields_set
        return {f.name: getattr(payload, f.name) for f in self.kind.writable if f.name in sent}

    async def check_refs(self, conn: Conn, who: Principal, values: dict[str, Any]) -> None:
        """Every id that points at an option, a user or a record must exist (400 otherwise)."""
        for name, value in values.items():
            f = self.kind.by_name.get(name)
            if f is None or f.ref is None or value is None:
                continue
            if not await ref_exists(conn, who, f.ref, value):
                raise ValidationError(f"Invalid value for {name}: no such record with id {value}")

    def new_values(self, who: Principal, payload: BaseModel) -> dict[str, Any]:
        """A new record's attributes from its validated body; every record has an owner."""
        values = self._values(payload)
        if values.get("owner_id") is None:
            values["owner_id"] = who.user_id
        return values

    @staticmethod
    def stamp_new(who: Principal, values: dict[str, Any], now: Any) -> None:
        """The columns a new record's row gets besides its attributes."""
        values.update(
            workspace_id=who.workspace_id,
            creater_id=who.user_id,
            updater_id=who.user_id,
            created_at=now,
            updated_at=now,
            is_deleted=False,
        )

    async def create(self, conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        payload = validate(self.kind.input_model, unwrap(data, self.kind.singular))
        values = self.new_values(who, payload)
        now = utcnow()
        values["custom_field"] = await custom_fields.validate(
            conn, who, self.kind.table, getattr(payload, "custom_field", None), None
        )
        await self.check_refs(conn, who, values)
        plan = await self.prepare(conn, who, values, payload, None)
        self.stamp_new(who, values, now)
        new_id = int(await conn.fetch_val(insert_sql(self.kind.table, list(values)), values))
        await timeline.created(conn, who, self.kind.table, new_id, values)
        await self.save_nested(conn, who, new_id, plan, None)
        await search_index.refresh(conn, self.kind.table, [new_id])
        await versions.bump(conn, who.workspace_id, self.kind.table, live=1)
        return new_id

    async def update(
        self, conn: Conn, who: Principal, record_id: int | None, data: dict[str, Any]
    ) -> Row:
        existing = await self.find(conn, who, record_id)
        payload = validate(self.kind.input_model, unwrap(data, self.kind.singular))
        values = self._values(payload)
        if "owner_id" in values and values["owner_id"] is None:
            del values["owner_id"]  # every record has an owner: null keeps the current one
        custom = getattr(payload, "custom_field", None)
        if custom:
            values["custom_field"] = await custom_fields.validate(
                conn,
                who,
                self.kind.table,
                custom,
                json_value(existing["custom_field"]),
                existing["id"],
            )
        await self.check_refs(conn, who, values)
        plan = await self.prepare(conn, who, values, payload, existing)
        values.update(updater_id=who.user_id, updated_at=utcnow())
        await conn.execute(
            update_sql(self.kind.table, list(values)),
            {**values, "id": existing["id"], "workspace_id": who.workspace_id},
        )
        await timeline.updated(conn, who, self.kind, existing, values, skip=self.own_entries)
        await self.save_nested(conn, who, existing["id"], plan, existing)
        renamed = values.get("name", existing.get("name")) != existing.get("name")
        await search_index.changed(conn, self.kind.table, [existing["id"]], company=renamed)
        await versions.bump(conn, who.workspace_id, self.kind.table)
        return await self.find(conn, who, existing["id"], scoped=False)

    async def upsert(
        self, conn: Conn, who: Principal, identifier: Any, data: dict[str, Any]
    ) -> tuple[int, bool]:
        """Update the record the unique identifier names, or create it: (id, created?)."""
        return await upsert.upsert(self, conn, who, identifier, data)

    async def ids_by_field(self, conn: Conn, who: Principal, field: str, value: str) -> list[int]:
        """Live records whose unique `field` holds `value` (text compared without case)."""
        if field.startswith("cf_"):
            return await custom_fields.ids_with_value(
                conn, who.workspace_id, self.kind.table, field, value
            )
        column = field if field in self.kind.by_name else None
        if column is None:
            return []
        rows = await conn.fetch_all(
            f"SELECT id FROM {self.kind.table} WHERE workspace_id = :ws AND is_deleted = false "
            f"AND lower({column}) = :value ORDER BY id",
            {"ws": who.workspace_id, "value": value.strip().lower()},
        )
        return [r["id"] for r in rows]

    async def clone(
        self, conn: Conn, who: Principal, record_id: int | None, data: dict[str, Any]
    ) -> int:
        """A new record with every property of the source, overridden by the body's."""
        source = await self.find(conn, who, record_id)
        body = unwrap(data, self.kind.singular)
        copied = await self.clone_payload(conn, who, source)
        payload = {**copied, **body}
        # Custom fields sent for the copy replace the source's one by one, not as a whole.
        if isinstance(body.get("custom_field"), dict):
            payload["custom_field"] = {**copied["custom_field"], **body["custom_field"]}
        return await self.create(conn, who, payload)

    async def assign_owner(
        self, conn: Conn, who: Principal, ids: Sequence[int], owner_id: int
    ) -> list[dict[str, bool]]:
        await self.check_refs(conn, who, {"owner_id": owner_id})
        results = []
        for record_id in ids:
            rows = await self._visible(conn, who, [record_id])
            if rows:
                await conn.execute(
                    f"UPDATE {self.kind.table} SET owner_id = :owner, updater_id = :me, "
                    "updated_at = :now WHERE id = :id",
                    {"owner": owner_id, "me": who.user_id, "now": utcnow(), "id": record_id},
                )
                if rows[0]["owner_id"] != owner_id:
                    ref = (self.kind.table, record_id)
                    await timeline.owner_changed(conn, who, ref, rows[0]["owner_id"], owner_id)
            results.append({str(record_id): bool(rows)})
        await search_index.refresh(conn, self.kind.table, [int(i) for i in ids])
        await versions.bump(conn, who.workspace_id, self.kind.table)
        return results

    # --- deleting -----------------------------------------------------------------------

    async def _visible(self, conn: Conn, who: Principal, ids: Sequence[int]) -> list[Row]:
        if not ids:
            return []
        clause, params = in_clause("r", ids)
        scope, scope_params = who.scope_sql()
        return await conn.fetch_all(
            f"SELECT * FROM {self.kind.table} WHERE workspace_id = :ws AND is_deleted = false "
            f"AND id IN {clause}{scope}",
            {"ws": who.workspace_id, **params, **scope_params},
        )

    async def soft_delete(
        self, conn: Conn, who: Principal, ids: Sequence[int], *, cascade: bool = False
    ) -> set[int]:
        """Move records to the recycle bin: they leave every view and answer 404."""
        rows = await self._visible(conn, who, ids)
        if not rows:
            return set()
        clause, params = in_clause("r", [r["id"] for r in rows])
        now = utcnow()
        await conn.execute(
            f"UPDATE {self.kind.table} SET is_deleted = true, deleted_at = :now, "
            f"updated_at = :now, updater_id = :me WHERE id IN {clause}",
            {"now": now, "me": who.user_id, **params},
        )
        await timeline.each(conn, who, self.kind.table, [r["id"] for r in rows], "DELETED")
        await engagement.record_deleted(conn, self.kind.table, [r["id"] for r in rows], True)
        await self.after_delete(conn, who, rows, cascade=cascade)
        await search_index.changed(conn, self.kind.table, [r["id"] for r in rows], company=True)
        await versions.bump(conn, who.workspace_id, self.kind.table, live=-len(rows))
        return {r["id"] for r in rows}

    async def forget(self, conn: Conn, who: Principal, record_id: int | None) -> None:
        """Delete for good, with everything attached (rows that reference it cascade)."""
        row = None
        if record_id is not None:
            scope, params = who.scope_sql()
            row = await conn.fetch_one(
                f"SELECT * FROM {self.kind.table} WHERE id = :id AND workspace_id = :ws{scope}",
                {"id": record_id, "ws": who.workspace_id, **params},
            )
        if row is None:
            raise NotFoundError(f"{self.kind.label} not found")
        await conn.execute(
            "DELETE FROM team_members WHERE entity_type = :t AND entity_id = :id",
            {"t": self.kind.table, "id": row["id"]},
        )
        await timeline.forget(conn, self.kind.table, row["id"])
        await engagement.forget_attached(conn, who, self.kind.table, [row["id"]])
        was_linked = await search_index.linked(conn, self.kind.table, [row["id"]])
        await conn.execute(f"DELETE FROM {self.kind.table} WHERE id = :id", {"id": row["id"]})
        await search_index.forget(conn, who.workspace_id, self.kind.table, [row["id"]], was_linked)
        await self.after_delete(conn, who, [row], cascade=False)
        was_live = 0 if row["is_deleted"] else 1
        await versions.bump(conn, who.workspace_id, self.kind.table, live=-was_live)

    async def bulk_destroy(
        self, conn: Conn, who: Principal, ids: Sequence[int], *, cascade: bool = False
    ) -> list[dict[str, bool]]:
        deleted = await self.soft_delete(conn, who, ids, cascade=cascade)
        return [{str(i): i in deleted} for i in ids]
