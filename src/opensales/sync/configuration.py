"""The account's configuration, copied before any record that refers to it: users (as
owners), selector options, custom modules and custom field definitions. Everything is matched
by name (users by email) and created only when missing, so a local workspace keeps its own."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from opensales.custom_module import service as custom_modules
from opensales.custom_module.kind import model_class
from opensales.db import Conn, Row
from opensales.kit import modules
from opensales.kit.dates import utcnow
from opensales.kit.options import PARENT_KEYS
from opensales.kit.records import insert_sql
from opensales.selector.service import CHILDREN
from opensales.settings import field_admin
from opensales.settings.forms import load_form
from opensales.sync.context import SyncContext
from opensales.user import service as users

# Option kinds that records, tasks and appointments refer to; parents before their children.
OPTION_KINDS = (
    "territories",
    "lead_sources",
    "campaigns",
    "industry_types",
    "business_types",
    "deal_types",
    "deal_reasons",
    "deal_payment_statuses",
    "deal_products",
    "currencies",
    "deal_pipelines",
    "deal_stages",
    "lifecycle_stages",
    "contact_statuses",
    "sales_activity_types",
    "sales_activity_outcomes",
)
PARENT_KINDS = {child: parent for parent, child in CHILDREN.items()}
# Entities with custom fields, as the settings API names them, and their base models.
FIELD_ENTITIES = {
    "contacts": "Contact",
    "sales_accounts": "SalesAccount",
    "deals": "Deal",
    "products": "Product",
}
# What a lookup field's `lookup_type` points at, as link kinds name it.
LOOKUP_KINDS = {
    "contact": "contacts",
    "sales_account": "sales_accounts",
    "account": "sales_accounts",
    "deal": "deals",
    "product": "products",
}


# --- users --------------------------------------------------------------------------------


async def copy_owners(ctx: SyncContext) -> None:
    ctx.progress.start("users", None)
    async for page in ctx.source.pages("selector/owners", "users"):
        await ctx.write_batch("users", page, lambda tx, item: ensure_user(ctx, tx, item))


async def ensure_user(ctx: SyncContext, conn: Conn, user: dict[str, Any]) -> str:
    """The local user of the source user's email: found (active or not), else created, with
    an API key nobody knows (an admin rotates it to hand it out)."""
    if ctx.links.local("users", user["id"]) is not None:
        return "unchanged"
    email = str(user.get("email") or "").strip().lower()
    found = await users.find_by_email(conn, ctx.who.workspace_id, email) if email else None
    if found is not None:
        await ctx.links.save(conn, "users", user["id"], found["id"], None)
        return "unchanged"
    if not email:
        return "failed"
    user_id, _ = await users.create_user(
        conn,
        ctx.who.workspace_id,
        email=email,
        display_name=user.get("display_name") or None,
        time_zone=user.get("time_zone") or "UTC",
    )
    if user.get("is_active") is False:
        await users.set_active(conn, user_id, False)
    await ctx.links.save(conn, "users", user["id"], user_id, None)
    return "created"


async def ensure_sideloaded_users(ctx: SyncContext, conn: Conn, body: dict[str, Any]) -> None:
    """Users a response sideloads (owners, creators): a record may name one the owners list
    leaves out, such as a deactivated user."""
    for user in body.get("users") or []:
        if isinstance(user, dict) and user.get("id") is not None and user.get("email"):
            await ensure_user(ctx, conn, user)


# --- selector options ---------------------------------------------------------------------


async def copy_options(ctx: SyncContext) -> None:
    # Children as their parents nest them (a pipeline's stages): Freshsales may list only
    # the default pipeline's stages at /selector/deal_stages.
    nested: dict[str, list[dict[str, Any]]] = {}
    for kind in OPTION_KINDS:
        ctx.progress.start(kind, None)
        listed = [o async for page in ctx.source.pages(f"selector/{kind}", kind) for o in page]
        if kind in CHILDREN:
            nested[CHILDREN[kind]] = [c for o in listed for c in o.get(CHILDREN[kind]) or []]
        items = list({o["id"]: o for o in [*nested.get(kind, []), *listed]}.values())
        await ctx.write_batch(kind, items, partial(_ensure_option, ctx, kind))


async def _ensure_option(ctx: SyncContext, kind: str, conn: Conn, item: dict[str, Any]) -> str:
    name = str(item.get("name") or "").strip()
    if not name:
        return "failed"
    parent_id = None
    if kind in PARENT_KEYS:
        parent_id = ctx.links.local(PARENT_KINDS[kind], item.get(PARENT_KEYS[kind]))
    found = await _local_option(conn, ctx.who.workspace_id, kind, item, parent_id)
    outcome = "unchanged"
    if found is None:
        found = await _insert_option(conn, ctx.who.workspace_id, kind, item, parent_id)
        outcome = "created"
    await ctx.links.save(conn, kind, item["id"], found, None)
    return outcome


async def _local_option(
    conn: Conn, workspace_id: int, kind: str, item: dict[str, Any], parent_id: int | None
) -> int | None:
    params: dict[str, Any] = {"ws": workspace_id, "kind": kind}
    if kind == "currencies" and item.get("currency_code"):
        where = "code = :code"
        params["code"] = item["currency_code"]
    else:
        where = "lower(name) = :name"
        params["name"] = str(item["name"]).strip().lower()
    if parent_id is not None:
        where += " AND parent_id = :parent"
        params["parent"] = parent_id
    found = await conn.fetch_val(
        f"SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = :kind AND {where} "
        "ORDER BY id LIMIT 1",
        params,
    )
    return int(found) if found else None


async def _insert_option(
    conn: Conn, workspace_id: int, kind: str, item: dict[str, Any], parent_id: int | None
) -> int:
    """A missing option, placed last. Options have no write API of their own yet: they are
    rows like the ones a new workspace is seeded with (workspace/service.py)."""
    last = await conn.fetch_val(
        "SELECT max(position) FROM selector_options WHERE workspace_id = :ws AND kind = :kind",
        {"ws": workspace_id, "kind": kind},
    )
    now = utcnow()
    row: dict[str, Any] = {
        "workspace_id": workspace_id,
        "kind": kind,
        "name": str(item["name"]).strip()[:255],
        "position": int(last or 0) + 1,
        "parent_id": parent_id,
        "is_default": False,
        "created_at": now,
        "updated_at": now,
    }
    if kind == "deal_stages":
        row["probability"] = item.get("probability")
        row["forecast_type"] = item.get("forecast_type") or "open"
    if kind == "currencies":
        row["code"] = item.get("currency_code")
        row["exchange_rate"] = item.get("exchange_rate")
    return int(await conn.fetch_val(insert_sql("selector_options", list(row)), row))


# --- custom modules and fields ------------------------------------------------------------


async def copy_modules(ctx: SyncContext) -> list[str]:
    """The source's custom modules, created here when missing; answers the entity names of
    those that have a copy."""
    ctx.progress.start("modules", None)
    body = await ctx.source.get("settings/module_customizations")
    items = [m for m in body.get("module_customizations") or [] if m.get("entity_name")]
    await ctx.write_batch("modules", items, lambda tx, item: _ensure_module(ctx, tx, item))
    # A module refused here (over the limit of 10, say) has no fields or records to copy.
    return [str(m["entity_name"]) for m in items if ctx.links.local("modules", m["id"])]


async def _ensure_module(ctx: SyncContext, conn: Conn, item: dict[str, Any]) -> str:
    found = await custom_modules.by_entity(conn, ctx.who.workspace_id, item["entity_name"])
    outcome = "unchanged"
    if found is None:
        spec = {
            k: item.get(k)
            for k in ("singular_name", "plural_name", "entity_name", "icon", "description")
        }
        found = await custom_modules.create(conn, ctx.who, {"module_customization": spec})
        outcome = "created"
    await ctx.links.save(conn, "modules", item["id"], found["id"], None)
    return outcome


async def copy_fields(ctx: SyncContext, module_entities: list[str]) -> None:
    """Custom field definitions of every entity, modules' included; lookups noted for the
    records that follow."""
    ctx.progress.start("fields", None)
    for entity in (*FIELD_ENTITIES, *module_entities):
        body = await ctx.source.get(f"settings/{entity}/forms")
        custom = [f for f in _form_fields(body) if f.get("custom") or _is_custom(f)]
        ctx.lookups[entity] = {
            f["name"]: _lookup_kind(f) for f in custom if f.get("type") == "auto_complete"
        }
        await ctx.write_batch("fields", custom, partial(_ensure_field, ctx, entity))


def _form_fields(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(fields: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for f in fields:
            if f.get("type") == "section":
                yield from walk(f.get("fields") or [])
            else:
                yield f

    for form in body.get("forms") or []:
        yield from walk(form.get("fields") or [])


def _is_custom(field: dict[str, Any]) -> bool:
    return str(field.get("name", "")).startswith("cf_")


def _lookup_kind(field: dict[str, Any]) -> str:
    lookup = str((field.get("field_options") or {}).get("lookup_type") or "").lower()
    return LOOKUP_KINDS.get(lookup, lookup)


async def _local_entity(conn: Conn, workspace_id: int, entity: str) -> tuple[str, str]:
    """The local table and base model of an entity the settings API names."""
    if entity in FIELD_ENTITIES:
        return entity, FIELD_ENTITIES[entity]
    module: Row | None = await custom_modules.by_entity(conn, workspace_id, entity)
    assert module is not None, f"custom module {entity} is copied before its fields"
    return modules.table_of(workspace_id, entity), model_class(module)


async def _ensure_field(ctx: SyncContext, entity: str, conn: Conn, item: dict[str, Any]) -> str:
    table, base_model = await _local_entity(conn, ctx.who.workspace_id, entity)
    form = await load_form(conn, ctx.who, table, base_model)
    if any(r["name"] == item["name"] for r in form.rows):
        return "unchanged"
    spec: dict[str, Any] = {
        "label": item.get("label"),
        "type": item.get("type"),
        "internal_name": str(item["name"]).removeprefix("cf_"),
        "required": item.get("required") or False,
        "unique": item.get("unique") or False,
        "hint": item.get("hint") or None,
    }
    if item.get("choices"):
        spec["choices"] = [
            {"value": c.get("value"), "position": c.get("position")} for c in item["choices"]
        ]
    options = item.get("field_options") or {}
    if item.get("type") in ("auto_complete", "decimal"):
        spec["field_options"] = {
            k: options[k] for k in ("lookup_type", "locale") if options.get(k) is not None
        }
    await field_admin.create_field(conn, ctx.who, table, base_model, str(form.id), {"field": spec})
    return "created"
