"""Records: accounts, contacts, deals (with their products), custom-module records and the
notes on them. Each kind is listed through its "All ..." view; a record changed since the
last run (its `updated_at` differs from the link's) is read whole and written through the
kind's own service, with every id translated to its local copy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from opensales.account.service import account_service
from opensales.client import NotFound
from opensales.contact.service import contact_service
from opensales.custom_module import service as custom_modules
from opensales.custom_module.records import records_of
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.kit.records import RecordService
from opensales.note import service as notes
from opensales.product import pricing
from opensales.product.service import product_service
from opensales.sync.configuration import ensure_sideloaded_users
from opensales.sync.context import SyncContext, create_or_update

# A record's kind as notes, tasks and appointments name it -> its link kind.
TARGET_KINDS = {"Contact": "contacts", "SalesAccount": "sales_accounts", "Deal": "deals"}
# Adds to (or takes from) the payload what a kind writes beyond its own fields.
Extra = Callable[[SyncContext, Conn, dict[str, Any], int | None, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class RecordSpec:
    """Where a kind lives at the source and which local service writes it."""

    link: str  # the link kind, also the custom-field entity: contacts, cm_project
    service: RecordService
    full: str  # one record: "contacts/{id}"
    root: str  # its root key: "contact"
    includes: str = ""
    filters: str = ""  # the views: "contacts/filters"
    view: str = ""  # one view's records: "contacts/view/{id}"
    fallback_views: tuple[str, ...] = ()  # views covering every record, if no "All ..." view
    extra: Extra | None = None  # what the kind writes beyond its own fields


async def copy_records(ctx: SyncContext, spec: RecordSpec) -> None:
    views = await ctx.source.listing_views(spec.filters, spec.fallback_views)
    if not views:
        ctx.failures.append(f"{spec.link}: the source has no view that lists them all")
        return
    ctx.progress.start(spec.link, None)
    seen: set[Any] = set()  # a record may be in more than one of the views
    for view_id in views:
        async for page in ctx.source.pages(spec.view.format(id=view_id), spec.service.kind.plural):
            fresh = [item for item in page if item["id"] not in seen]
            seen.update(item["id"] for item in fresh)
            changed = [item for item in fresh if not ctx.is_current(spec.link, item)]
            for _ in range(len(fresh) - len(changed)):
                ctx.tally(spec.link).add("unchanged")
            ctx.progress.advance(spec.link, len(fresh) - len(changed))
            await copy_batch(ctx, spec, [item["id"] for item in changed])
    await _retry_incomplete(ctx, spec)


async def copy_batch(ctx: SyncContext, spec: RecordSpec, ids: list[Any]) -> None:
    """Read the records whole (outside any transaction), then write them in one."""
    records = [r for r in [await read(ctx, spec, i) for i in ids] if r is not None]
    if spec.link == "deals":
        await _copy_deal_products(ctx, records)
    await ctx.write_batch(spec.link, records, lambda tx, r: write_record(ctx, tx, spec, r))


async def read(ctx: SyncContext, spec: RecordSpec, source_id: Any) -> dict[str, Any] | None:
    """The record with its sideloads under `_sideloads`; None if deleted since it was listed."""
    params = {"include": spec.includes} if spec.includes else {}
    try:
        body = await ctx.source.get(spec.full.format(id=source_id), **params)
    except NotFound:
        return None
    record = dict(body[spec.root])
    record["_sideloads"] = {k: v for k, v in body.items() if k != spec.root}
    return record


async def write_record(
    ctx: SyncContext, conn: Conn, spec: RecordSpec, record: dict[str, Any]
) -> str:
    await ensure_sideloaded_users(ctx, conn, record["_sideloads"])
    payload, complete = translate(ctx, spec, record)
    local = ctx.links.local(spec.link, record["id"])
    if spec.extra is not None:
        await spec.extra(ctx, conn, record, local, payload)
    body = {spec.root: payload}
    local, outcome = await create_or_update(
        local,
        lambda found: spec.service.update(conn, ctx.who, found, body),
        lambda: spec.service.create(conn, ctx.who, body),
    )
    held = _hold_activities(ctx, record["_sideloads"])
    # A link without the source's updated_at is copied again by the next run: so is a
    # record that points at one not copied yet, or whose tasks are still to be written.
    stamp = record.get("updated_at") if complete else None
    await ctx.links.save(conn, spec.link, record["id"], local, None if held else stamp)
    if held and stamp is not None:
        ctx.stamp_later.append((spec.link, record["id"], local, stamp))
    if not complete:
        ctx.incomplete.setdefault(spec.link, []).append(record["id"])
    for note in record["_sideloads"].get("notes") or []:
        await write_note(ctx, conn, note)
    return outcome


def _hold_activities(ctx: SyncContext, sideloads: dict[str, Any]) -> bool:
    """Tasks and appointments on the record, written once every record has its copy (the
    task lists hold only the API user's own; these reach everyone's). Whether any."""
    held = False
    for kind in ("tasks", "appointments"):
        for item in sideloads.get(kind) or []:
            if isinstance(item, dict) and item.get("id") is not None:
                ctx.held.setdefault(kind, {})[item["id"]] = item
                held = True
    return held


def translate(
    ctx: SyncContext, spec: RecordSpec, record: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """The create/update body for the local service, and whether every record it points at
    has a copy yet (an account's parent may come later in the same run)."""
    payload: dict[str, Any] = {}
    complete = True
    for f in spec.service.kind.writable:
        if f.name not in record:
            continue
        value = record[f.name]
        if f.ref is not None and value is not None:
            mapped = ctx.links.local(f.ref, value)
            complete = complete and (mapped is not None or f.ref not in TARGET_KINDS.values())
            value = mapped
        payload[f.name] = value
    custom, custom_complete = _custom_fields(ctx, spec.link, record.get("custom_field") or {})
    payload["custom_field"] = custom
    return payload, complete and custom_complete


def _custom_fields(
    ctx: SyncContext, entity: str, values: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Custom field values, lookups translated to the local ids of what they point at."""
    lookups = ctx.lookups.get(entity, {})
    out: dict[str, Any] = {}
    complete = True
    for name, value in values.items():
        if name in lookups and value not in (None, ""):
            value = ctx.links.local(lookups[name], _lookup_id(value))
            complete = complete and value is not None
        out[name] = value
    return out, complete


def _lookup_id(value: Any) -> Any:
    """A lookup's value: an id, or an object carrying one."""
    return value.get("id") if isinstance(value, dict) else value


async def _retry_incomplete(ctx: SyncContext, spec: RecordSpec) -> None:
    """Records written before what they point at: written again now that it has a copy."""
    ids = ctx.incomplete.pop(spec.link, [])
    if ids:
        await copy_batch(ctx, spec, ids)


async def retry_all_incomplete(ctx: SyncContext, specs: list[RecordSpec]) -> None:
    """Once every kind is copied: records that point at a later kind (a contact's lookup
    to a deal). What still points nowhere is left for the next run."""
    for spec in specs:
        await _retry_incomplete(ctx, spec)


# --- notes --------------------------------------------------------------------------------


async def write_note(ctx: SyncContext, conn: Conn, note: dict[str, Any]) -> None:
    if ctx.is_current("notes", note):
        ctx.tally("notes").add("unchanged")
        return
    target_kind = TARGET_KINDS.get(str(note.get("targetable_type")))
    target = ctx.links.local(target_kind, note.get("targetable_id")) if target_kind else None
    if target is None or not note.get("description"):
        ctx.failures.append(f"notes {note.get('id')}: empty, or on a record not copied")
        ctx.tally("notes").add("failed")
        return
    body = {"description": note["description"], "targetable_type": note["targetable_type"]}

    async def create() -> int:
        row = await notes.create(conn, ctx.who, {"note": {**body, "targetable_id": target}})
        return int(row["id"])

    local, outcome = await create_or_update(
        ctx.links.local("notes", note["id"]),
        lambda found: notes.update(conn, ctx.who, found, {"note": body}),
        create,
    )
    await ctx.links.save(conn, "notes", note["id"], local, note.get("updated_at"))
    ctx.tally("notes").add(outcome)


# --- what a kind writes beyond its own fields ---------------------------------------------


async def _contact_extra(
    ctx: SyncContext, conn: Conn, record: dict[str, Any], local: int | None, payload: dict[str, Any]
) -> None:
    emails = [
        {"value": e["value"], "is_primary": bool(e.get("is_primary")), "label": e.get("label")}
        for e in record.get("emails") or []
        if e.get("value")
    ]
    links = record.get("sales_accounts")
    if links is None and record.get("sales_account_id") is not None:
        links = [{"id": record["sales_account_id"], "is_primary": True}]
    accounts = [
        {"id": found, "is_primary": bool(link.get("is_primary"))}
        for link in links or []
        if (found := ctx.links.local("sales_accounts", link.get("id"))) is not None
    ]
    if accounts and not any(a["is_primary"] for a in accounts):
        accounts[0]["is_primary"] = True
    payload.update(emails=emails, sales_accounts=accounts)


async def _deal_extra(
    ctx: SyncContext, conn: Conn, record: dict[str, Any], local: int | None, payload: dict[str, Any]
) -> None:
    contacts = [ctx.links.local("contacts", c) for c in record.get("contact_ids") or []]
    payload["contacts_added_list"] = [c for c in contacts if c is not None]
    items = [
        {**{k: item.get(k) for k in LINE_ITEM_KEYS}, "id": found}
        for item in record.get("products") or []
        if (found := ctx.links.local("products", item.get("id"))) is not None
    ]
    if items:
        payload["products"] = items
        payload.pop("amount", None)  # a deal with products has the amount they add up to


LINE_ITEM_KEYS = ("quantity", "discount", "billing_cycle", "unit_price", "setup_fee")


async def _product_extra(
    ctx: SyncContext, conn: Conn, record: dict[str, Any], local: int | None, payload: dict[str, Any]
) -> None:
    """Prices by currency: the local product's price in a currency is overwritten, prices in
    currencies the source no longer has are removed."""
    current = (
        {r["currency_code"]: r["id"] for r in await pricing.rows_of(conn, [local])} if local else {}
    )
    prices: list[dict[str, Any]] = []
    for price in record.get("product_pricings") or []:
        entry = {k: price.get(k) for k in pricing.COLUMNS}
        if price.get("currency_code") in current:
            entry["id"] = current.pop(price["currency_code"])
        prices.append(entry)
    prices += [{"id": price_id, "_destroy": True} for price_id in current.values()]
    payload["product_pricings"] = prices
    if local is None and record.get("pricing_type"):
        payload["pricing_type"] = record["pricing_type"]


async def _copy_deal_products(ctx: SyncContext, deals: list[dict[str, Any]]) -> None:
    """Products have no list in the public API: those on the deals' lines are copied,
    before the deals that refer to them."""
    wanted = {
        item["id"]
        for deal in deals
        for item in deal.get("products") or []
        if item.get("id") is not None and ctx.links.local("products", item["id"]) is None
    }
    if wanted:
        await copy_batch(ctx, PRODUCTS, sorted(wanted))


# --- the kinds ----------------------------------------------------------------------------

ACCOUNTS = RecordSpec(
    "sales_accounts",
    account_service,
    "sales_accounts/{id}",
    "sales_account",
    includes="owner,notes,tasks,appointments",
    filters="sales_accounts/filters",
    view="sales_accounts/view/{id}",
)
CONTACTS = RecordSpec(
    "contacts",
    contact_service,
    "contacts/{id}",
    "contact",
    includes="owner,sales_accounts,notes,tasks,appointments",
    filters="contacts/filters",
    view="contacts/view/{id}",
    extra=_contact_extra,
)
DEALS = RecordSpec(
    "deals",
    deal_service,
    "deals/{id}",
    "deal",
    includes="owner,products,notes,tasks,appointments",
    filters="deals/filters",
    view="deals/view/{id}",
    fallback_views=("Open Deals", "Won Deals", "Lost Deals"),
    extra=_deal_extra,
)
PRODUCTS = RecordSpec(
    "products",
    product_service,
    "cpq/products/{id}",
    "product",
    includes="product_pricings",
    extra=_product_extra,
)


async def module_spec(ctx: SyncContext, conn: Conn, entity: str) -> RecordSpec:
    """The records of the local copy of the custom module `entity`."""
    module = await custom_modules.by_entity(conn, ctx.who.workspace_id, entity)
    assert module is not None, f"custom module {entity} is copied before its records"
    return RecordSpec(
        entity,
        records_of(module),
        f"custom_module/{entity}/{{id}}",
        entity,
        filters=f"{entity}/filters",
        view=f"custom_module/{entity}/view/{{id}}",
    )
