"""Record pages: a contact, account, deal or custom-module record with every field (each
edited in place through the service's `update`, as the API's PUT), its related records and
the slot the activity area fills; the new-record form; soft delete.

Every route exists under `/contacts`, `/accounts`, `/deals` and `/modules/{entity_name}`;
`section_of` tells which kind a request is about.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from opensales.db import Conn
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import modules, timeline
from opensales.kit.principal import Principal
from opensales.kit.timezones import zone
from opensales.search import service as search
from opensales.web.fields import (
    SEARCHABLE,
    FieldSpec,
    FieldView,
    Lookups,
    load_specs,
    new_record,
    read,
    refs,
    view,
)
from opensales.web.kinds import Section, module_section, section
from opensales.web.render import fragment, page, redirect
from opensales.web.security import Me

router = APIRouter(include_in_schema=False)
PREFIXES = ("/contacts", "/accounts", "/deals", "/modules/{entity_name}")
# Sideloads of a record page: the users its fields name, and its related records.
USER_HANDLES = ("owner", "creater", "updater")
RELATED = {
    "contacts": ("sales_accounts", "deals"),
    "sales_accounts": ("contacts", "deals", "child_sales_accounts"),
    "deals": ("contacts", "products"),
}
LOOKUP_RESULTS = "10"

Handler = Callable[..., Awaitable[Response]]


def route(method: str, suffix: str) -> Callable[[Handler], Handler]:
    """Serve `handler` at `suffix` under every kind's path."""

    def add(handler: Handler) -> Handler:
        for prefix in PREFIXES:
            router.add_api_route(prefix + suffix, handler, methods=[method])
        return handler

    return add


async def section_of(request: Request, me: Me) -> Section:
    entity = request.path_params.get("entity_name")
    if entity is not None:
        return await module_section(me.db, me.who, entity)
    return section(request.url.path.split("/")[1])


Kind = Annotated[Section, Depends(section_of)]


@dataclass(frozen=True, slots=True)
class Loaded:
    """One record as its page shows it."""

    envelope: dict[str, Any]
    record: dict[str, Any]
    specs: list[FieldSpec]
    lookups: Lookups

    def views(self) -> list[FieldView]:
        return [view(s, self.record, self.lookups) for s in self.specs]


async def lookups_for(
    conn: Conn,
    who: Principal,
    specs: Sequence[FieldSpec],
    record: Mapping[str, Any],
    envelope: Mapping[str, Any],
) -> Lookups:
    names = await timeline.record_names(conn, who, refs(specs, [record]))
    users = {u["id"]: u["display_name"] for u in envelope.get("users", [])}
    return Lookups(names, users, zone(who.time_zone))


async def load(
    conn: Conn, who: Principal, kind: Section, record_id: int, only: str | None = None
) -> Loaded:
    """The record (404 when the user may not see it) and its fields; `only`: one field,
    without the related records."""
    related = RELATED.get(kind.table, ()) if only is None else ()
    envelope = await kind.service.get(conn, who, record_id, (*USER_HANDLES, *related))
    specs = await load_specs(conn, who, kind.service.kind, only)
    if only is not None and not specs:
        raise NotFoundError(f"No field {only[:60]} on {kind.label.lower()}")
    record = envelope[kind.service.kind.singular]
    return Loaded(envelope, record, specs, await lookups_for(conn, who, specs, record, envelope))


def grouped(views: Iterable[FieldView]) -> list[tuple[str, list[FieldView]]]:
    """Fields by their form section, in form order."""
    groups: dict[str, list[FieldView]] = {}
    for field in views:
        groups.setdefault(field.spec.group, []).append(field)
    return list(groups.items())


def title_of(kind: Section, record: Mapping[str, Any]) -> str:
    name = record.get("display_name") or record.get("name")
    return str(name) if name else f"{kind.singular} #{record['id']}"


def editable(specs: Sequence[FieldSpec], kind: Section, name: str) -> FieldSpec:
    """The field `name` of the kind, which people may change (404, 400 otherwise)."""
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        raise NotFoundError(f"No field {name[:60]} on {kind.label.lower()}")
    if not spec.editable:
        raise ValidationError(f"{spec.label} cannot be changed")
    return spec


# --- the record page ----------------------------------------------------------------------


@route("GET", "/{record_id:int}")
async def record_page(request: Request, me: Me, kind: Kind, record_id: int) -> Response:
    """A record: its fields by section, its related records, its activity."""
    loaded = await load(me.db, me.who, kind, record_id)
    return page(
        request,
        me,
        "record/show.html",
        section=kind,
        base=kind.base,
        record_id=record_id,
        record=loaded.record,
        related=loaded.envelope,
        title=title_of(kind, loaded.record),
        groups=grouped(loaded.views()),
    )


@route("GET", "/{record_id:int}/fields/{name}")
async def show_field(request: Request, me: Me, kind: Kind, record_id: int, name: str) -> Response:
    """One field as the page shows it (what Cancel and Escape put back)."""
    loaded = await load(me.db, me.who, kind, record_id, only=name)
    return fragment(
        request,
        me,
        "record/_field.html",
        f=loaded.views()[0],
        base=kind.base,
        record_id=record_id,
        focus=True,
    )


@route("GET", "/{record_id:int}/fields/{name}/edit")
async def edit_field(request: Request, me: Me, kind: Kind, record_id: int, name: str) -> Response:
    """One field's widget, holding its value."""
    loaded = await load(me.db, me.who, kind, record_id, only=name)
    editable(loaded.specs, kind, name)
    return fragment(
        request,
        me,
        "record/_edit.html",
        f=loaded.views()[0],
        base=kind.base,
        record_id=record_id,
    )


@route("PUT", "/{record_id:int}/fields/{name}")
async def save_field(request: Request, me: Me, kind: Kind, record_id: int, name: str) -> Response:
    """Save one field through the service's update; the fields the change moved with it
    (a deal's stage sets its probability...) are swapped in too."""
    service = kind.service
    form = await request.form()
    async with me.db.transaction() as tx:
        before = service.kind.render(await service.find(tx, me.who, record_id))
        specs = await load_specs(tx, me.who, service.kind)
        spec = editable(specs, kind, name)
        value = read(spec, form, zone(me.who.time_zone))
        row = await service.update(tx, me.who, record_id, spec.payload(value))
        envelope = await service.envelope(tx, me.who, row, USER_HANDLES)
        record = envelope[service.kind.singular]
        lookups = await lookups_for(tx, me.who, specs, record, envelope)
    moved = [s for s in specs if s is not spec and s.value_in(before) != s.value_in(record)]
    return fragment(
        request,
        me,
        "record/_saved.html",
        f=view(spec, record, lookups),
        others=[view(s, record, lookups) for s in moved],
        base=kind.base,
        record_id=record_id,
    )


@route("GET", "/lookup/{name}")
async def lookup_options(request: Request, me: Me, kind: Kind, name: str, q: str = "") -> Response:
    """The records a lookup field may point at, as `<option>`s, for what was typed."""
    specs = await load_specs(me.db, me.who, kind.service.kind, only=name)
    if not specs or specs[0].widget != "lookup":
        raise NotFoundError(f"No lookup field {name[:60]} on {kind.label.lower()}")
    table = str(specs[0].lookup)
    include = SEARCHABLE.get(table) or str(modules.entity_of(table))
    found = []
    if q.strip():
        query = {"q": q, "include": include, "per_page": LOOKUP_RESULTS}
        found = await search.search(me.db, me.who, query)
    response = fragment(request, me, "record/_options.html", found=found, name=name)
    if not found:
        response.headers["HX-Reswap"] = "none"  # keep the choice; only the status says so
    return response


# --- create and delete --------------------------------------------------------------------


@route("GET", "/new")
async def new_record_page(request: Request, me: Me, kind: Kind) -> Response:
    """The form of a new record: the kind's fields, required ones marked."""
    specs = [s for s in await load_specs(me.db, me.who, kind.service.kind) if s.editable]
    lookups = Lookups({}, {}, zone(me.who.time_zone))
    mine = {"owner_id": me.who.user_id}
    return page(
        request,
        me,
        "record/new.html",
        section=kind,
        base=kind.base,
        groups=grouped(view(s, mine, lookups) for s in specs),
    )


@route("POST", "/new")
async def create_record(request: Request, me: Me, kind: Kind) -> Response:
    """Create the record through the service, then open its page."""
    specs = [s for s in await load_specs(me.db, me.who, kind.service.kind) if s.editable]
    body = new_record(specs, await request.form(), zone(me.who.time_zone))
    async with me.db.transaction() as tx:
        new_id = await kind.service.create(tx, me.who, body)
    return redirect(request, f"{kind.base}/{new_id}")


@route("DELETE", "/{record_id:int}")
async def delete_record(request: Request, me: Me, kind: Kind, record_id: int) -> Response:
    """Move the record to the recycle bin, then go to its list."""
    async with me.db.transaction() as tx:
        deleted = await kind.service.soft_delete(tx, me.who, [record_id])
    if not deleted:
        raise NotFoundError(f"{kind.singular} not found")
    return redirect(request, kind.base)
