"""New contacts imported a batch at a time on SQLite, with every rule of the per-row path.

Each row is validated and planned in Python by the functions `ContactService.create` uses
(the input model, `new_values`, custom field validation, `plan_fields`); what needs the
database is asked once per batch instead of once per row: the users and options that exist,
the addresses and external ids already taken (and those taken by earlier rows of the batch),
the accounts named. The batch is then written with multi-row INSERTs: the contacts under
ids reserved in the transaction (which holds SQLite's write lock), their timeline entries
(kit/timeline.py's), addresses and account links, and their search documents (made by
kit/search_index.py's `document()` from the values written). One statement per table and
chunk matters: SQLite's FTS5 flushes its pending index at every statement's savepoint, so
the trigger that indexes each document costs three times as much under `executemany`.

A row a rule refuses is never written. Rows that update (`--update-by`), other kinds and
PostgreSQL take the per-row path (transfer/service.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from opensales.contact import repository
from opensales.contact.service import ContactPlan, contact_service, email_taken, external_id_taken
from opensales.db import Row, SqliteDatabase, sqlite_value
from opensales.errors import OpenSalesError, ValidationError
from opensales.kit import custom_fields, search_index, timeline, versions
from opensales.kit.dates import utcnow
from opensales.kit.http import unwrap, validate
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import RECORD_TABLES, ref_exists

_SLICE = 5_000  # values per IN (...) lookup
_ACTIVITY_COLUMNS = (
    "workspace_id",
    "entity_type",
    "entity_id",
    "action_type",
    "action_data",
    "user_id",
    "created_at",
)
_ACTIVITY_KEYS = ("ws", "t", "e", "action", "data", "user", "now")
# What search_index.source_sql reads of a contact under the same names.
_SOURCE_KEYS = (
    "workspace_id",
    "owner_id",
    "territory_id",
    "email",
    "work_number",
    "job_title",
    "city",
    "country",
    "external_id",
)
_LINK_COLUMNS = ("workspace_id", "contact_id", "sales_account_id", "is_primary")
_EMAIL_COLUMNS = (
    "workspace_id",
    "contact_id",
    "value",
    "is_primary",
    "label",
    "position",
    "is_deleted",
    "created_at",
    "updated_at",
)


@dataclass
class Planned:
    """One row that passed the rules that need no query."""

    index: int  # in the batch
    values: dict[str, Any]
    plan: ContactPlan
    account: str | None
    unique_values: list[tuple[str, str]]  # (custom field, value as compared)
    record_id: int = 0
    company: str | None = None  # the linked account's name, as stored


@dataclass
class Outcome:
    created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index, reason)


@dataclass
class Read:
    """What a row's data gives before any query: the values and plan that `create` and
    `ContactService.plan_fields` make, or the refusal `plan_fields` raised, which `plan`
    reports only after the checks `create` makes first (custom fields, references)."""

    values: dict[str, Any]
    custom: dict[str, Any] | None
    account: str | None
    plan: ContactPlan | None
    refused: str | None = None


def read_row(who: Principal, data: dict[str, Any]) -> Read | str:
    """A row's data read by the contact's rules that need no database: a Read, or the
    reason the input model refused it."""
    service = contact_service
    try:
        payload = validate(service.kind.input_model, unwrap(data, service.kind.singular))
    except OpenSalesError as exc:
        return exc.message
    values = service.new_values(who, payload)
    account = getattr(payload, "sales_account", None)
    name = account.name if account else None
    read = Read(values, getattr(payload, "custom_field", None), name, None)
    try:
        read.plan = service.plan_fields(values, payload, None, [])
    except OpenSalesError as exc:
        read.refused = exc.message
    return read


_REF_FIELDS = [f for f in contact_service.kind.writable if f.ref is not None]


class KnownRefs:
    """The workspace's users and options, read once per batch: `check_refs` without a query
    per row (a reference to a record still asks, as `ref_exists` does)."""

    def __init__(self, users: list[Row], options: list[Row]) -> None:
        self.ids: dict[str, set[int]] = {"users": {u["id"] for u in users}}
        for option in options:
            self.ids.setdefault(option["kind"], set()).add(option["id"])

    @classmethod
    async def load(cls, conn: SqliteDatabase, workspace_id: int) -> KnownRefs:
        params = {"ws": workspace_id}
        users = await conn.fetch_all("SELECT id FROM users WHERE workspace_id = :ws", params)
        options = await conn.fetch_all(
            "SELECT id, kind FROM selector_options WHERE workspace_id = :ws", params
        )
        return cls(users, options)

    async def check(self, conn: SqliteDatabase, who: Principal, values: dict[str, Any]) -> None:
        for f in _REF_FIELDS:
            value = values.get(f.name)
            if value is None:
                continue
            if f.ref in RECORD_TABLES:
                found = await ref_exists(conn, who, f.ref, value)
            else:
                found = value in self.ids.get(str(f.ref), ())
            if not found:
                raise ValidationError(f"Invalid value for {f.name}: no such record with id {value}")


class ContactBatch:
    """One batch of new contacts: planned, checked for uniqueness, linked, written."""

    def __init__(self, conn: SqliteDatabase, who: Principal, defs: dict[str, Row]) -> None:
        self.conn = conn
        self.who = who
        self.defs = defs
        self.unique = [name for name, d in defs.items() if d["is_unique"]]
        self.needs_custom = any(d["required"] for d in defs.values())
        self.outcome = Outcome()

    def reject(self, index: int, exc: OpenSalesError) -> None:
        self.outcome.rejected.append((index, exc.message))

    async def plan(self, refs: KnownRefs, index: int, read: Read | str) -> Planned | None:
        """The row's values and nested plan, its rules checked in `create`'s order."""
        try:
            if isinstance(read, str):
                raise ValidationError(read)
            values = read.values
            values["custom_field"] = (
                await custom_fields.validate(self.conn, self.who, "contacts", read.custom, None)
                if read.custom or self.needs_custom
                else {}
            )
            await refs.check(self.conn, self.who, values)
            if read.plan is None:
                raise ValidationError(read.refused or "")
        except OpenSalesError as exc:
            self.reject(index, exc)
            return None
        unique = [
            (name, str(values["custom_field"][name]).strip().lower())
            for name in self.unique
            if values["custom_field"].get(name) is not None
        ]
        return Planned(index, values, read.plan, read.account, unique)

    async def claim(self, planned: list[Planned]) -> list[Planned]:
        """Rows whose addresses, external id and unique custom values are free, in order,
        each given its id (an earlier row of the batch holds what it claimed)."""
        emails = await self._taken_emails(planned)
        externals = await self._taken_external_ids(planned)
        values: dict[tuple[str, str], int] = {}
        next_id = await self._next_id()
        claimed = []
        for row in planned:
            try:
                self._check_free(row, emails, externals, values)
            except ValidationError as exc:
                self.reject(row.index, exc)
                continue
            row.record_id, next_id = next_id, next_id + 1
            emails.update((e["value"], row.record_id) for e in row.plan.emails or ())
            if row.values.get("external_id"):
                externals[row.values["external_id"]] = row.record_id
            values.update((key, row.record_id) for key in row.unique_values)
            claimed.append(row)
        return claimed

    @staticmethod
    def _check_free(
        row: Planned,
        emails: dict[str, int],
        externals: dict[str, int],
        values: dict[tuple[str, str], int],
    ) -> None:
        for email in row.plan.emails or ():
            if email["value"] in emails:
                raise email_taken(email["value"], emails[email["value"]])
        external = row.values.get("external_id")
        if external and external in externals:
            raise external_id_taken(external, externals[external])
        for key in row.unique_values:
            if key in values:
                raise custom_fields.value_taken(key[0], values[key])

    async def _taken_emails(self, planned: list[Planned]) -> dict[str, int]:
        wanted = [e["value"] for row in planned for e in row.plan.emails or ()]
        taken: dict[str, int] = {}
        for part in _slices(wanted):
            rows = await repository.contacts_with_email(self.conn, self.who.workspace_id, part)
            taken.update((r["value"], r["contact_id"]) for r in rows)
        return taken

    async def _taken_external_ids(self, planned: list[Planned]) -> dict[str, int]:
        wanted = [row.values["external_id"] for row in planned if row.values.get("external_id")]
        taken: dict[str, int] = {}
        for part in _slices(wanted):
            clause, params = in_clause("x", part)
            rows = await self.conn.fetch_all(
                "SELECT id, external_id FROM contacts WHERE workspace_id = :ws "
                f"AND is_deleted = false AND external_id IN {clause}",
                {"ws": self.who.workspace_id, **params},
            )
            taken.update((r["external_id"], r["id"]) for r in rows)
        return taken

    async def _next_id(self) -> int:
        """The id SQLite's AUTOINCREMENT would give next; the batch holds the write lock."""
        last = await self.conn.fetch_val(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'contacts'), 0), "
            "coalesce((SELECT max(id) FROM contacts), 0))"
        )
        return int(last) + 1

    async def link_accounts(self, claimed: list[Planned]) -> list[Planned]:
        """Each row's account by name, added when none has it (as `sales_account: {name}`
        does); rows whose account cannot be added are refused with its reason."""
        from opensales.account.service import account_service

        wanted = list(dict.fromkeys(row.account for row in claimed if row.account))
        existing = await self._accounts_named(wanted)
        found: dict[str, int | OpenSalesError] = {}
        for name in wanted:
            if name.strip().lower() in existing:
                found[name] = existing[name.strip().lower()]
                continue
            await self.conn.execute("SAVEPOINT account")
            try:
                found[name] = await account_service.find_or_create_by_name(
                    self.conn, self.who, name
                )
            except OpenSalesError as exc:
                await self.conn.execute("ROLLBACK TO SAVEPOINT account")
                found[name] = exc
            await self.conn.execute("RELEASE SAVEPOINT account")
        names = await self._account_names([i for i in found.values() if isinstance(i, int)])
        linked = []
        for row in claimed:
            account = found.get(row.account) if row.account else None
            if isinstance(account, OpenSalesError):
                self.reject(row.index, account)
                continue
            if account is not None:
                row.plan.accounts = [(account, True)]  # a new contact's only, primary account
                row.company = names[account]
            linked.append(row)
        return linked

    async def _accounts_named(self, names: list[str]) -> dict[str, int]:
        """Live accounts by lower-case name, as `find_or_create_by_name` finds them (the
        oldest of a name); names not found here go through it."""
        found: dict[str, int] = {}
        for part in _slices([n.strip().lower() for n in names]):
            clause, params = in_clause("n", part)
            rows = await self.conn.fetch_all(
                "SELECT id, lower(name) AS name FROM sales_accounts WHERE workspace_id = :ws "
                f"AND lower(name) IN {clause} AND is_deleted = false ORDER BY id DESC",
                {"ws": self.who.workspace_id, **params},
            )
            found.update((r["name"], r["id"]) for r in rows)
        return found

    async def _account_names(self, ids: list[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        for part in _slices(ids):
            clause, params = in_clause("a", part)
            rows = await self.conn.fetch_all(
                f"SELECT id, name FROM sales_accounts WHERE id IN {clause}", params
            )
            names.update((r["id"], r["name"]) for r in rows)
        return names

    async def write(self, rows: list[Planned]) -> None:
        """Everything `create` writes for each row, a table at a time."""
        if not rows:
            return
        now = sqlite_value(utcnow())  # as the driver layer stores every timestamp
        for row in rows:
            contact_service.stamp_new(self.who, row.values, now)
            row.values["id"] = row.record_id
        columns = list(dict.fromkeys(k for row in rows for k in row.values))
        self.conn.insert_rows(
            "contacts", columns, ([row.values.get(c) for c in columns] for row in rows)
        )
        self.conn.insert_rows("activities", _ACTIVITY_COLUMNS, self._timeline(rows, now))
        self.conn.insert_rows("contact_emails", _EMAIL_COLUMNS, self._emails(rows, now))
        links = [
            (self.who.workspace_id, row.record_id, account, primary)
            for row in rows
            for account, primary in row.plan.accounts or ()
        ]
        self.conn.insert_rows("contact_accounts", _LINK_COLUMNS, links)
        self.conn.insert_rows("search_documents", search_index.COLUMNS, self._documents(rows, now))
        await versions.bump(self.conn, self.who.workspace_id, "contacts", live=len(rows))
        self.outcome.created += len(rows)

    def _timeline(self, rows: list[Planned], now: str) -> Iterable[list[Any]]:
        for row in rows:
            own = ("contacts", row.record_id)
            entries = timeline.created_entries(self.who, *own, row.values, now)
            for account, _ in row.plan.accounts or ():
                entries += timeline.link_entries(
                    self.who, own, "LINKED", ("sales_accounts", account), now
                )
            for entry in entries:
                yield [entry[k] for k in _ACTIVITY_KEYS]

    def _emails(self, rows: list[Planned], now: str) -> Iterable[list[Any]]:
        ws = self.who.workspace_id
        for row in rows:
            for position, e in enumerate(row.plan.emails or ()):
                primary = bool(e["is_primary"])
                yield [
                    ws,
                    row.record_id,
                    e["value"],
                    primary,
                    e["label"],
                    position,
                    False,
                    now,
                    now,
                ]

    def _documents(self, rows: list[Planned], now: str) -> Iterable[list[Any]]:
        """The search documents, made by kit/search_index.py from what `source_sql` reads
        for a contact, here taken from the values just written."""
        for row in rows:
            v = row.values
            source = {
                **{k: v.get(k) for k in _SOURCE_KEYS},
                "id": row.record_id,
                "is_deleted": False,
                "updated_at": now,
                "name": v["display_name"],
                "phone": v.get("mobile_number"),
                "company": row.company,
            }
            emails = [e["value"] for e in row.plan.emails or ()]
            doc = search_index.document("contacts", source, emails)
            yield [doc[c] for c in search_index.COLUMNS]


def _slices(values: Sequence[Any], size: int = _SLICE) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def import_batch(
    conn: SqliteDatabase, who: Principal, reads: Sequence[Read | str]
) -> Outcome:
    """Create a contact for each row read (a reason refuses its row); the caller holds the
    transaction."""
    defs = await custom_fields.definitions(conn, who.workspace_id, "contacts")
    refs = await KnownRefs.load(conn, who.workspace_id)
    batch = ContactBatch(conn, who, defs)
    planned = []
    for index, read in enumerate(reads):
        if (row := await batch.plan(refs, index, read)) is not None:
            planned.append(row)
    await batch.write(await batch.link_accounts(await batch.claim(planned)))
    batch.outcome.rejected.sort()
    return batch.outcome
