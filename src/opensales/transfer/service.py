"""Import rows of a CSV file through the kind's RecordService, and export them back.

Every row is held to the rules of the API's create (or upsert). Rows commit in batches. New
contacts on SQLite are planned and written a batch at a time (transfer/bulk.py); other rows
go one by one through the service, each inside a SAVEPOINT, so a row its rules refuse leaves
nothing behind and the others of its batch still commit. Refused rows go to
`<file>.rejected.csv` beside the input with the reason in an `error` column.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opensales.db import Conn, Database, Row, SqliteDatabase
from opensales.errors import OpenSalesError, ValidationError
from opensales.kit import custom_fields, upsert
from opensales.kit.fields import json_value
from opensales.kit.options import PARENT_KEYS, in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.transfer import bulk
from opensales.transfer.columns import COLUMNS, Column

BATCH_SIZE = 2000
EXPORT_PAGE = 1000
_SEPARATORS = re.compile(r"[;,]")


def record_service(kind: str) -> RecordService:
    from opensales.account.service import account_service
    from opensales.contact.service import contact_service
    from opensales.deal.service import deal_service

    services: dict[str, RecordService] = {
        "contacts": contact_service,
        "accounts": account_service,
        "deals": deal_service,
    }
    return services[kind]


@dataclass(frozen=True, slots=True)
class Target:
    """What one column fills: an attribute, and how its text becomes the attribute."""

    field: str
    how: str
    ref: str | None = None


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().split())


async def known_targets(conn: Conn, workspace_id: int, kind: str) -> dict[str, Target]:
    """Every header the kind understands (normalized): API names, Freshsales' export names,
    custom field names and labels."""
    service = record_service(kind)
    known = {_norm(f.name): Target(f.name, "plain") for f in service.kind.writable}
    for column in COLUMNS[kind]:
        ref = service.kind.by_name[column.field].ref if column.how == "option" else None
        target = Target(column.field, column.how, ref)
        # An option's or owner's API name keeps its API meaning (an id), not a name.
        api_name = () if column.field in service.kind.by_name else (column.field,)
        for name in (*api_name, column.header, *column.aliases):
            known[_norm(name)] = target
    defs = await custom_fields.definitions(conn, workspace_id, service.kind.table)
    for name, definition in defs.items():
        known[_norm(definition["label"])] = known[_norm(name)] = Target(name, "custom")
    return known


def _resolution_order(planned: tuple[int, Target]) -> bool:
    # An option that belongs to another (a stage to its pipeline) is found after its parent.
    return planned[1].ref in PARENT_KEYS


def plan_columns(
    header: list[str], known: dict[str, Target], mapping: dict[str, str]
) -> tuple[list[tuple[int, Target]], list[str]]:
    """(column index, target) for each understood column, and the headers ignored."""
    mapped = {_norm(column): to for column, to in mapping.items()}
    planned: list[tuple[int, Target]] = []
    ignored: list[str] = []
    for index, name in enumerate(header):
        wanted = mapped.get(_norm(name), name)
        target = known.get(_norm(wanted))
        if target is None and _norm(name) in mapped:
            raise ValidationError(f"Invalid value for --map {name}={wanted}: no such field")
        if target is None:
            ignored.append(name)
        else:
            planned.append((index, target))
    return sorted(planned, key=_resolution_order), ignored


class Resolver:
    """Users and selector options of the workspace by name, read once per import."""

    def __init__(self, users: list[Row], options: list[Row]) -> None:
        self.users: dict[str, int] = {}
        self.user_emails = {u["id"]: u["email"] for u in users}
        for user in users:
            self.users.setdefault(_norm(user["display_name"] or ""), user["id"])
            self.users[_norm(user["email"])] = user["id"]
        self.options: dict[tuple[str, str], list[Row]] = {}
        self.option_names = {o["id"]: o["name"] for o in options}
        for option in options:
            self.options.setdefault((option["kind"], _norm(option["name"])), []).append(option)

    @classmethod
    async def load(cls, conn: Conn, workspace_id: int) -> Resolver:
        users = await conn.fetch_all(
            "SELECT id, email, display_name FROM users WHERE workspace_id = :ws ORDER BY id",
            {"ws": workspace_id},
        )
        options = await conn.fetch_all(
            "SELECT id, kind, name, parent_id FROM selector_options WHERE workspace_id = :ws "
            "ORDER BY position, id",
            {"ws": workspace_id},
        )
        return cls(users, options)

    def user(self, text: str) -> int:
        found = self.users.get(_norm(text))
        if found is None:
            raise ValidationError(f"Invalid value for owner_id: no user {text!r}")
        return found

    def option(self, target: Target, text: str, data: dict[str, Any]) -> int:
        assert target.ref is not None
        candidates = self.options.get((target.ref, _norm(text)), [])
        parent = data.get(PARENT_KEYS.get(target.ref, ""))
        if parent is not None:
            candidates = [c for c in candidates if c["parent_id"] == parent]
        if not candidates:
            raise ValidationError(f"Invalid value for {target.field}: no option named {text!r}")
        return int(candidates[0]["id"])


def row_payload(
    planned: list[tuple[int, Target]], cells: list[str], resolver: Resolver
) -> dict[str, Any]:
    """The create body for one row; empty cells are left out."""
    data: dict[str, Any] = {}
    for index, target in planned:
        text = cells[index].strip() if index < len(cells) else ""
        if not text:
            continue
        if target.how == "custom":
            data.setdefault("custom_field", {})[target.field] = text
        elif target.how == "emails":
            values = [v.strip() for v in _SEPARATORS.split(text) if v.strip()]
            # The first address of a new contact is its primary one; an update adds to them.
            data["emails"] = [{"value": v} for v in values]
        elif target.how == "account":
            data["sales_account"] = {"name": text}
        elif target.how == "owner":
            data["owner_id"] = resolver.user(text)
        elif target.how == "option":
            data[target.field] = resolver.option(target, text, data)
        else:
            data[target.field] = text
    return data


def identifier(update_by: Target, data: dict[str, Any]) -> dict[str, Any]:
    """The upsert identifier of a row: `{field: value}` taken from the row itself."""
    if update_by.how == "emails":
        value = data["emails"][0]["value"] if data.get("emails") else None
    elif update_by.how == "custom":
        value = data.get("custom_field", {}).get(update_by.field)
    else:
        value = data.get(update_by.field)
    if value in (None, ""):
        raise ValidationError(f"Invalid value for {update_by.field}: required by --update-by")
    return {update_by.field: value}


async def writer(conn: Conn, workspace_id: int, email: str | None) -> Principal:
    """Who the records are written as: the user with `email`, else the first admin."""
    sql = "SELECT * FROM users WHERE workspace_id = :ws AND is_active = true"
    params: dict[str, Any] = {"ws": workspace_id}
    if email is None:
        row = await conn.fetch_one(sql + " AND role = 'admin' ORDER BY id LIMIT 1", params)
    else:
        row = await conn.fetch_one(sql + " AND email = :e", {**params, "e": _norm(email)})
    if row is None:
        raise ValidationError(
            f"Invalid value for --as: no active user {email}" if email else "No active admin"
        )
    return Principal(
        user_id=row["id"],
        workspace_id=workspace_id,
        role=row["role"],
        territory_id=row["territory_id"],
        time_zone=row["time_zone"],
        display_name=row["display_name"],
        email=row["email"],
    )


async def _check_identifier(conn: Conn, who: Principal, kind: str, target: Target) -> None:
    service = record_service(kind)
    name = service.identifier_aliases.get(target.field, target.field)
    if name not in await upsert.unique_fields(conn, who, service.kind.table):
        raise ValidationError(
            f"Invalid value for --update-by: {target.field} is not a unique field of {kind}"
        )


@dataclass
class ImportPlan:
    kind: str
    source: Path
    who: Principal
    header: list[str]
    planned: list[tuple[int, Target]]
    ignored: list[str]
    resolver: Resolver
    update_by: Target | None

    @property
    def rejected_path(self) -> Path:
        return self.source.with_name(self.source.stem + ".rejected.csv")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejected_path: Path | None = None


async def prepare_import(
    conn: Conn,
    workspace_id: int,
    kind: str,
    source: Path,
    *,
    mapping: dict[str, str],
    update_by: str | None,
    as_email: str | None,
) -> ImportPlan:
    """Read the header, match the columns, find the writer: every mistake before any row."""
    with source.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise ValidationError(f"Invalid value for FILE: {source} has no header row")
    who = await writer(conn, workspace_id, as_email)
    known = await known_targets(conn, workspace_id, kind)
    planned, ignored = plan_columns(header, known, mapping)
    identify = None
    if update_by is not None:
        identify = known.get(_norm(update_by))
        if identify is None:
            raise ValidationError(f"Invalid value for --update-by: no field {update_by}")
        await _check_identifier(conn, who, kind, identify)
    resolver = await Resolver.load(conn, workspace_id)
    return ImportPlan(kind, source, who, header, planned, ignored, resolver, identify)


def _rows(source: Path) -> Iterator[list[str]]:
    with source.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for cells in reader:
            if any(c.strip() for c in cells):
                yield cells


def count_rows(source: Path) -> int:
    return sum(1 for _ in _rows(source))


class _Rejections:
    """`<file>.rejected.csv`: written only when a row is refused."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.handle: Any = None
        self.writer: Any = None
        path.unlink(missing_ok=True)  # a previous run's report would mislead

    def add(self, cells: list[str], reason: str) -> None:
        if self.writer is None:
            self.handle = self.path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.handle)
            self.writer.writerow([*self.header, "error"])
        self.writer.writerow([*cells, reason])

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _row_data(plan: ImportPlan, cells: list[str]) -> dict[str, Any]:
    if len(cells) > len(plan.header):
        raise ValidationError(f"The row has {len(cells)} cells; the header {len(plan.header)}")
    return row_payload(plan.planned, cells, plan.resolver)


async def _write_row(plan: ImportPlan, conn: Conn, cells: list[str]) -> bool:
    """Write one row through the kind's service: True when it created a record."""
    data = _row_data(plan, cells)
    service = record_service(plan.kind)
    if plan.update_by is None:
        await service.create(conn, plan.who, data)
        return True
    _, created = await service.upsert(conn, plan.who, identifier(plan.update_by, data), data)
    return created


async def _import_batch(
    plan: ImportPlan, conn: Conn, batch: list[list[str]], report: ImportReport, out: _Rejections
) -> None:
    for cells in batch:
        await conn.execute("SAVEPOINT r")
        try:
            created = await _write_row(plan, conn, cells)
        except OpenSalesError as exc:
            await conn.execute("ROLLBACK TO SAVEPOINT r")
            out.add(cells, exc.message)
            report.rejected += 1
        else:
            report.created += created
            report.updated += not created
        await conn.execute("RELEASE SAVEPOINT r")


def _read_batch(plan: ImportPlan, batch: list[list[str]]) -> list[bulk.Read | str]:
    """Each row read as a new contact, or the reason it cannot be."""
    reads: list[bulk.Read | str] = []
    for cells in batch:
        try:
            reads.append(bulk.read_row(plan.who, _row_data(plan, cells)))
        except OpenSalesError as exc:
            reads.append(exc.message)
    return reads


def _batches(source: Path, size: int) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for cells in _rows(source):
        batch.append(cells)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _write_bulk(
    db: SqliteDatabase,
    plan: ImportPlan,
    batch: list[list[str]],
    report: ImportReport,
    out: _Rejections,
) -> None:
    reads = _read_batch(plan, batch)
    async with db.transaction() as tx:
        outcome = await bulk.import_batch(tx, plan.who, reads)
    report.created += outcome.created
    report.rejected += len(outcome.rejected)
    for index, reason in outcome.rejected:
        out.add(batch[index], reason)


def _tune_for_import(db: SqliteDatabase) -> None:
    """This connection's page cache (256 MB: the indexes a million rows touch at random)
    and a WAL checkpointed every 80 MB instead of 4, i.e. not after nearly every batch;
    a server on the same database checkpoints it too."""
    db.conn.execute("PRAGMA cache_size=-262144")
    db.conn.execute("PRAGMA wal_autocheckpoint=20000")


async def run_import(
    db: Database,
    plan: ImportPlan,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """Import every row, `batch_size` per transaction; a crash loses the batch in progress.
    New contacts on SQLite are written a batch at a time (transfer/bulk.py), the rest row
    by row."""
    started = time.perf_counter()
    report = ImportReport()
    out = _Rejections(plan.rejected_path, plan.header)
    batches = _batches(plan.source, batch_size)
    try:
        if plan.kind == "contacts" and plan.update_by is None and isinstance(db, SqliteDatabase):
            _tune_for_import(db)
            for batch in batches:
                await _write_bulk(db, plan, batch, report, out)
                progress(len(batch))
        else:
            for batch in batches:
                async with db.transaction() as tx:
                    await _import_batch(plan, tx, batch, report, out)
                progress(len(batch))
    finally:
        out.close()
    report.seconds = time.perf_counter() - started
    report.rejected_path = plan.rejected_path if report.rejected else None
    return report


# --- export ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def _linked_names(conn: Conn, kind: str, rows: list[Row]) -> dict[int, str]:
    """Record id -> the name of its account (a contact's primary one)."""
    if kind == "contacts":
        from opensales.contact import repository

        links = await repository.account_links(conn, [r["id"] for r in rows])
        return {link["contact_id"]: link["name"] for link in links if link["is_primary"]}
    ids = {r["id"]: r["sales_account_id"] for r in rows if r.get("sales_account_id")}
    if not ids:
        return {}
    clause, params = in_clause("a", sorted(set(ids.values())))
    named = await conn.fetch_all(
        f"SELECT id, name FROM sales_accounts WHERE id IN {clause}", params
    )
    names = {r["id"]: r["name"] for r in named}
    return {record: names.get(account, "") for record, account in ids.items()}


async def _emails(conn: Conn, kind: str, rows: list[Row]) -> dict[int, str]:
    if kind != "contacts":
        return {}
    from opensales.contact import repository

    found = await repository.emails_of(conn, [r["id"] for r in rows])
    return {cid: "; ".join(e["value"] for e in emails) for cid, emails in found.items()}


def _export_cells(
    columns: tuple[Column, ...],
    row: Row,
    rendered: dict[str, Any],
    resolver: Resolver,
    linked: dict[str, dict[int, str]],
) -> list[str]:
    """One record's cells, column by column, as an import reads them back."""
    cells = []
    for column in columns:
        if column.how == "owner":
            value = resolver.user_emails.get(row["owner_id"])
        elif column.how == "option":
            value = resolver.option_names.get(row[column.field])
        elif column.how in linked:
            value = linked[column.how].get(row["id"])
        else:
            value = rendered.get(column.field)
        cells.append(_cell(value))
    return cells


async def export_csv(conn: Conn, workspace_id: int, kind: str, target: Path) -> int:
    """Write the kind's live records to `target` under Freshsales' column names (custom
    fields by label); answers how many."""
    service = record_service(kind)
    defs = await custom_fields.definitions(conn, workspace_id, service.kind.table)
    resolver = await Resolver.load(conn, workspace_id)
    columns = COLUMNS[kind]
    written = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([c.header for c in columns] + [d["label"] for d in defs.values()])
        after = 0
        while rows := await conn.fetch_all(
            f"SELECT * FROM {service.kind.table} WHERE workspace_id = :ws "
            "AND is_deleted = false AND id > :after ORDER BY id LIMIT :n",
            {"ws": workspace_id, "after": after, "n": EXPORT_PAGE},
        ):
            linked = {
                "account": await _linked_names(conn, kind, rows),
                "emails": await _emails(conn, kind, rows),
            }
            for row in rows:
                cells = _export_cells(columns, row, service.kind.render(row), resolver, linked)
                custom = json_value(row["custom_field"]) or {}
                out.writerow(cells + [_cell(custom.get(name)) for name in defs])
            written += len(rows)
            after = rows[-1]["id"]
    return written
