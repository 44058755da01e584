"""Views (filters) of any kind of record: `/filters` and `/view/{id}`, one engine for all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import custom_fields, modules, versions
from opensales.kit.conditions import MAX_SHOWN, compile_rules, requires_value
from opensales.kit.dates import format_timestamp, utcnow
from opensales.kit.fields import json_value
from opensales.kit.kind import Kind
from opensales.kit.pagination import ListQuery, page_rows, total
from opensales.kit.principal import Principal


class FilterOut(BaseModel):
    id: int
    name: str
    model_class_name: str
    user_id: int
    is_default: bool
    is_public: bool
    updated_at: str


class Meta(BaseModel):
    total: int
    total_pages: int


class FiltersOut(BaseModel):
    filters: list[FilterOut]
    meta: Meta


def meta(count: int, per_page: int) -> dict[str, int]:
    return {"total": count, "total_pages": (count + per_page - 1) // per_page}


def _visible_sql() -> str:
    return (
        "FROM views WHERE workspace_id = :ws AND entity_type = :entity "
        "AND (is_public = true OR user_id = :me)"
    )


def render_filter(kind: Kind, row: Row) -> dict[str, Any]:
    return kind.view_item(
        {
            "id": row["number"],
            "name": row["name"],
            "model_class_name": kind.model_class,
            "user_id": -1 if row["user_id"] is None else row["user_id"],
            "is_default": bool(row["is_default"]),
            "is_public": bool(row["is_public"]),
            "updated_at": format_timestamp(row["updated_at"]),
        }
    )


async def seed_views(
    conn: Conn, workspace_id: int, entity: str, views: Sequence[Mapping[str, Any]]
) -> None:
    """A kind's default views, numbered from 1 in the order given."""
    now = utcnow()
    rows = [
        {
            "workspace_id": workspace_id,
            "entity_type": entity,
            "number": number,
            "name": view["name"],
            "is_default": view.get("default", True),
            "is_public": True,
            "user_id": None,
            "conditions": {"rules": view["rules"]},
            "sort_field": view.get("sort", "updated_at"),
            "sort_type": view.get("sort_type", "desc"),
            "created_at": now,
            "updated_at": now,
        }
        for number, view in enumerate(views, 1)
    ]
    columns = list(rows[0])
    await conn.execute_many(
        f"INSERT INTO views ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
        rows,
    )


async def list_filters(
    conn: Conn, who: Principal, kind: Kind, page: int, per_page: int
) -> dict[str, Any]:
    params = {"ws": who.workspace_id, "entity": kind.table, "me": who.user_id}
    count = int(await conn.fetch_val(f"SELECT count(*) {_visible_sql()}", params) or 0)
    rows = await conn.fetch_all(
        f"SELECT * {_visible_sql()} ORDER BY number LIMIT :limit OFFSET :offset",
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    )
    return {"filters": [render_filter(kind, r) for r in rows], "meta": meta(count, per_page)}


async def find_view(conn: Conn, who: Principal, kind: Kind, number: int | None) -> Row:
    row = None
    if number is not None:
        row = await conn.fetch_one(
            f"SELECT * {_visible_sql()} AND number = :number",
            {"ws": who.workspace_id, "entity": kind.table, "me": who.user_id, "number": number},
        )
    if row is None:
        raise NotFoundError("View not found")
    return row


# The name a row gives the value of a custom field it is sorted on.
SORT_VALUE = "sort_value"


@dataclass(frozen=True, slots=True)
class _Sort:
    field: str  # as views and requests name it
    sql: str  # a column, or a custom field's typed value
    descending: bool
    custom: bool


def sort_of(
    kind: Kind, field: str, sort_type: str, dialect: str, custom: Mapping[str, Row]
) -> _Sort:
    """The order a list takes: a sort field of the kind or a custom field; 400 otherwise."""
    direction = str(sort_type).lower()
    if direction not in ("asc", "desc"):
        raise ValidationError("Invalid value for sort_type: asc or desc")
    descending = direction == "desc"
    if field in kind.sort_fields:
        return _Sort(field, field, descending, custom=False)
    definition = custom.get(field)
    if definition is None:
        known = "one of " + ", ".join(kind.sort_fields)
        why = "no such custom field" if field.startswith("cf_") else known + " or a custom field"
        raise ValidationError(f"Invalid value for sort: {field[:MAX_SHOWN]} ({why})")
    if definition["type"] not in custom_fields.ORDERED_TYPES:
        raise ValidationError(
            f"Invalid value for sort: {field} (a {definition['type']} field cannot be sorted on)"
        )
    return _Sort(field, custom_fields.typed_sql(dialect, definition), descending, custom=True)


def _workspace_rows(kind: Kind) -> str:
    """The condition for the workspace's rows. A custom module's table holds one workspace's
    records (the principal's workspace names the table), and its indexes leave the column
    out: without the condition, a count of a view reads the index alone (20 times faster
    over 100,000 records)."""
    return "true" if modules.is_module_table(kind.table) else "workspace_id = :ws"


def shows_deleted(rules: list[dict[str, Any]]) -> bool:
    return any(rule.get("attribute") == "is_deleted" for rule in rules)


async def custom_fields_of(
    conn: Conn, who: Principal, kind: Kind, rules: Sequence[Any], sort: str
) -> Mapping[str, Row]:
    """The kind's custom field definitions when the view sorts or filters on one; none
    otherwise, so that other views do not read them."""
    named = [sort, *(rule.get("attribute") for rule in rules if isinstance(rule, Mapping))]
    if not any(isinstance(name, str) and name.startswith("cf_") for name in named):
        return {}
    return await custom_fields.definitions(conn, who.workspace_id, kind.table)


def _list_query(
    kind: Kind,
    order: _Sort,
    rules: list[dict[str, Any]],
    source: str,
    params: dict[str, Any],
    version: int,
) -> ListQuery:
    # Keyset paging needs a value on every row: a NOT NULL column, or rules that require one.
    valued = requires_value(rules, order.field)
    if not order.custom:
        return ListQuery(
            select=kind.list_select(order.sql),
            source=source,
            params=params,
            sort=order.sql,
            descending=order.descending,
            keyset=valued or not kind.by_name[order.sql].nullable,
            version=version,
        )
    # The field's value is selected under a name of its own (`id` is among the row's columns).
    return ListQuery(
        select=f"{kind.list_select('id')}, {order.sql} AS {SORT_VALUE}",
        source=source,
        params=params,
        sort=order.sql,
        descending=order.descending,
        keyset=valued,
        version=version,
        sort_key=SORT_VALUE,
    )


async def records_page(
    conn: Conn,
    who: Principal,
    kind: Kind,
    rules: list[dict[str, Any]],
    *,
    sort: str,
    sort_type: str,
    page: int,
    per_page: int,
    live_only: bool = True,
) -> tuple[list[Row], int]:
    """The rows of one page of the kind's records that the rules keep, and their total,
    within the user's scope: what a view and a filtered search list."""
    custom = await custom_fields_of(conn, who, kind, rules, sort)
    order = sort_of(kind, sort, sort_type, conn.dialect, custom)
    where, params = compile_rules(
        rules, kind.by_name, who, table=kind.table, dialect=conn.dialect, custom=custom
    )
    scope, scope_params = who.scope_sql()
    version, live = await versions.current(conn, who.workspace_id, kind.table)
    query = _list_query(
        kind,
        order,
        rules,
        f"{kind.table} WHERE {_workspace_rows(kind)}"
        f"{' AND is_deleted = false' if live_only else ''}{where}{scope}",
        {"ws": who.workspace_id, **params, **scope_params},
        version,
    )
    rows = await page_rows(conn, query, page, per_page)
    # Every live row of the kind, as an unconditioned view shows them to an admin.
    everything = live_only and not where and not scope
    return rows, live if everything else await total(conn, query)


async def check_rules(
    conn: Conn, who: Principal, kind: Kind, rules: Any, sort: str, sort_type: str
) -> None:
    """A 400 naming what is wrong with a view's rules or order, before it is saved."""
    if not isinstance(rules, list):
        raise ValidationError("Invalid value for filter_rule: must be a list of rules")
    custom = await custom_fields_of(conn, who, kind, rules, sort)
    sort_of(kind, sort, sort_type, conn.dialect, custom)
    compile_rules(rules, kind.by_name, who, table=kind.table, dialect=conn.dialect, custom=custom)
    if shows_deleted(rules):  # the recycle bin's own rule: not for a view of one's own
        raise ValidationError("Unknown attribute in filter: is_deleted")


async def view_records(
    conn: Conn,
    who: Principal,
    kind: Kind,
    number: int | None,
    *,
    sort: str | None,
    sort_type: str | None,
    page: int,
    per_page: int,
    also: Sequence[dict[str, Any]] = (),
) -> tuple[list[Row], int]:
    """The rows of one page of a view and the view's total, within the user's scope;
    `also` narrows the view with more rules (the web lists' quick search)."""
    view = await find_view(conn, who, kind, number)
    rules = [*json_value(view["conditions"]).get("rules", []), *also]
    # Views list live records; the recycle bin's own rule is what shows deleted ones.
    return await records_page(
        conn,
        who,
        kind,
        rules,
        sort=sort or view["sort_field"],
        sort_type=sort_type or view["sort_type"],
        page=page,
        per_page=per_page,
        live_only=not shows_deleted(rules),
    )


async def live_views(conn: Conn, who: Principal, kind: Kind) -> list[dict[str, Any]]:
    """The views of live records the user may pick (every one but the recycle bin), as
    `/filters` renders them."""
    rows = await conn.fetch_all(
        f"SELECT * {_visible_sql()} ORDER BY number",
        {"ws": who.workspace_id, "entity": kind.table, "me": who.user_id},
    )
    return [
        render_filter(kind, r)
        for r in rows
        if not shows_deleted(json_value(r["conditions"]).get("rules", []))
    ]


async def view_conditions(
    conn: Conn, who: Principal, kind: Kind, number: int | None
) -> tuple[str, dict[str, Any]]:
    """A view's rules as SQL AND-clauses on the kind's table, with their parameters: for
    what sums a view's records up instead of listing them (the pipeline board)."""
    view = await find_view(conn, who, kind, number)
    rules = json_value(view["conditions"]).get("rules", [])
    if shows_deleted(rules):
        raise NotFoundError("View not found")
    custom = await custom_fields_of(conn, who, kind, rules, "")
    return compile_rules(
        rules, kind.by_name, who, table=kind.table, dialect=conn.dialect, custom=custom
    )
