"""Lists of records: contacts, accounts, deals and custom-module records.

A list is one of the kind's views (default or saved, as `/api/<kind>/filters` lists them),
read through the API's views engine (kit/views.py): 25 rows a page, sorted on the sort
fields the view API takes, within the user's scope. Quick search asks the search service
for the kind's best matches (at most 100, from its trigram index) and narrows the view to
them, so it costs what a search does whatever the size of the table. Bulk actions call the
services' `assign_owner` and `bulk_destroy`, as the API's bulk endpoints do.

One handler serves a whole page, and the table alone when htmx targets it (`#records`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from opensales.custom_module import service as modules
from opensales.db import Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import views
from opensales.kit.coerce import query_int
from opensales.kit.http import page_params
from opensales.kit.options import load_options
from opensales.kit.routes import owner_id_of, selected_ids
from opensales.search import ranking
from opensales.search import service as search
from opensales.user import service as users
from opensales.web.kinds import SECTIONS, Section, module_section
from opensales.web.render import fragment, page, redirect
from opensales.web.security import Me, WebContext

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
# The search service's largest page: a quick search lists at most this many best matches.
SEARCH_LIMIT = 100
TABLE_ID = "records"  # htmx names the element it swaps in the HX-Target header


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a list: the rendered row's key, how its cells show it (`name`, `text`,
    `phone`, `money`, `when`, `owner`, `stage`), and the sort field its header asks for."""

    label: str
    key: str
    show: str = "text"
    sort: str | None = None
    optional: bool = False  # left out on a phone's width


_OWNER = Column("Owner", "owner_id", "owner")
_UPDATED = Column("Updated", "updated_at", "when", "updated_at", optional=True)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "contacts": (
        Column("Name", "display_name", "name"),
        Column("Email", "email"),
        Column("Phone", "mobile_number", "phone", optional=True),
        Column("Job title", "job_title", optional=True),
        _OWNER,
        Column("Lead score", "lead_score", sort="lead_score", optional=True),
        Column("Last contacted", "last_contacted", "when", "last_contacted", optional=True),
        _UPDATED,
    ),
    "accounts": (
        Column("Name", "name", "name"),
        Column("City", "city", optional=True),
        Column("Country", "country", optional=True),
        Column("Open deals", "open_deals_amount", "money", "open_deals_amount"),
        _OWNER,
        Column("Last contacted", "last_contacted", "when", "last_contacted", optional=True),
        _UPDATED,
    ),
    "deals": (
        Column("Name", "name", "name"),
        Column("Amount", "amount", "money", "amount"),
        Column("Stage", "deal_stage_id", "stage"),
        _OWNER,
        Column("Expected close", "expected_close", "when", "expected_close", optional=True),
        _UPDATED,
    ),
    "modules": (
        Column("Name", "name", "name", "name"),
        _OWNER,
        Column("Created", "created_at", "when", "created_at", optional=True),
        _UPDATED,
    ),
}


@dataclass(frozen=True, slots=True)
class ListState:
    """What a list shows, as its URL says it: `?view=2&sort=amount&sort_type=asc&page=3&q=x`."""

    view: int | None
    sort: str | None
    sort_type: str | None
    page: int
    q: str

    @classmethod
    def of(cls, query: Mapping[str, str]) -> ListState:
        view = query_int(query.get("view"), 0)
        return cls(
            view=view if view > 0 else None,
            sort=query.get("sort") or None,
            sort_type=query.get("sort_type") or None,
            page=page_params(query)[0],
            q=(query.get("q") or "").strip(),
        )

    def params(self) -> dict[str, str]:
        given = {
            "view": self.view,
            "sort": self.sort,
            "sort_type": self.sort_type,
            "page": self.page if self.page > 1 else None,
            "q": self.q,
        }
        return {k: str(v) for k, v in given.items() if v}

    def url(self, base: str, **changes: Any) -> str:
        query = urlencode(replace(self, **changes).params())
        return f"{base}?{query}" if query else base


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a list, ready for the templates."""

    section: Section
    columns: tuple[Column, ...]
    state: ListState
    views: list[dict[str, Any]]
    view_name: str
    sort: str
    sort_type: str
    rows: list[dict[str, Any]]
    total: int
    owners: dict[int, str]
    active_users: list[Row]
    stages: dict[int, str]
    capped: bool  # a quick search stopped at SEARCH_LIMIT matches: there may be more
    too_short: bool  # a quick search with no word long enough to look up

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    def sort_url(self, column: Column) -> str:
        """The header's link: its field ascending, or descending when it already is."""
        ascending = self.sort == column.sort and self.sort_type == "asc"
        order = "desc" if ascending else "asc"
        return self.state.url(self.section.base, sort=column.sort, sort_type=order, page=1)

    def aria_sort(self, column: Column) -> str | None:
        if column.sort is None or column.sort != self.sort:
            return None
        return "ascending" if self.sort_type == "asc" else "descending"

    def page_url(self, number: int) -> str:
        return self.state.url(self.section.base, page=number)


async def _matching_ids(me: WebContext, section: Section, q: str) -> list[str]:
    """The ids of the kind's records the search service finds for `q`, best first."""
    query = {"q": q, "include": search.type_of(section.table), "per_page": str(SEARCH_LIMIT)}
    return [found["id"] for found in await search.search(me.db, me.who, query)]


async def _records(
    me: WebContext, section: Section, state: ListState, view: Row
) -> tuple[list[dict[str, Any]], int, bool]:
    """The page's rendered rows, the list's total, and whether a quick search found more
    matches than it lists."""
    kind = section.service.kind
    also, capped = [], False
    if state.q:
        ids = await _matching_ids(me, section, state.q)
        also = [{"attribute": "id", "operator": "is_in", "value": ids}]
        capped = len(ids) >= SEARCH_LIMIT
    rows, total = await views.view_records(
        me.db,
        me.who,
        kind,
        view["number"],
        sort=state.sort or view["sort_field"],
        sort_type=state.sort_type or view["sort_type"],
        page=state.page,
        per_page=PER_PAGE,
        also=also,
    )
    outs = [kind.render(r, partial=True) for r in rows]
    await section.service.decorate_partial(me.db, me.who, rows, outs)
    return outs, total, capped


async def _stage_names(me: WebContext, rows: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    ids = [r.get("deal_stage_id") for r in rows]
    return {o["id"]: o["name"] for o in await load_options(me.db, me.who.workspace_id, ids)}


async def listing(
    me: WebContext, section: Section, columns: tuple[Column, ...], state: ListState
) -> Listing:
    """The page of the list `state` asks for: its view (the first one unless it names
    another), rows, total, and the names its cells show."""
    kind = section.service.kind
    # Deleted records have a page of their own: the recycle bin's view is not offered.
    found = await views.live_views(me.db, me.who, kind)
    number = state.view or (found[0]["id"] if found else None)
    view = await views.find_view(me.db, me.who, kind, number)
    rows, total, capped = await _records(me, section, state, view)
    people = await users.list_users(me.db, me.who.workspace_id)
    showing_stages = any(c.show == "stage" for c in columns)
    return Listing(
        section=section,
        columns=columns,
        state=replace(state, view=view["number"]),
        views=found,
        view_name=view["name"],
        sort=state.sort or view["sort_field"],
        sort_type=(state.sort_type or view["sort_type"]).lower(),
        rows=rows,
        total=total,
        owners={u["id"]: u["display_name"] or u["email"] for u in people},
        active_users=[u for u in people if u["is_active"]],
        stages=await _stage_names(me, rows) if showing_stages else {},
        capped=capped,
        too_short=bool(state.q) and not ranking.parse(state.q).indexed_words,
    )


async def show_list(
    request: Request, me: WebContext, section: Section, columns: tuple[Column, ...]
) -> Response:
    """The list page, or only its table when htmx swaps the table (`#records`)."""
    state = ListState.of(request.query_params)
    found = await listing(me, section, columns, state)
    if request.headers.get("hx-target") == TABLE_ID:
        return fragment(request, me, "lists/table.html", listing=found, notice=None)
    return page(request, me, "lists/list.html", listing=found, notice=None)


# --- bulk actions -------------------------------------------------------------------------


def _chosen_ids(form: FormData) -> list[int]:
    if not form.getlist("selected_ids"):
        raise ValidationError("Select at least one record first")
    return selected_ids({"selected_ids": form.getlist("selected_ids")})


def _done(section: Section, results: Sequence[Mapping[str, bool]]) -> str:
    """How many of the selected records the action changed: "3 contacts", "1 contact"."""
    count = sum(1 for result in results for ok in result.values() if ok)
    return f"{count} {(section.singular if count == 1 else section.label).lower()}"


async def _assign(me: WebContext, section: Section, form: FormData) -> str:
    ids, owner_id = _chosen_ids(form), owner_id_of({"owner_id": form.get("owner_id")})
    async with me.db.transaction() as tx:
        results = await section.service.assign_owner(tx, me.who, ids, owner_id)
    people = await users.list_users(me.db, me.who.workspace_id)
    owner = next((u["display_name"] or u["email"] for u in people if u["id"] == owner_id), "")
    return f"{_done(section, results)} assigned to {owner}."


async def _delete(me: WebContext, section: Section, form: FormData) -> str:
    ids = _chosen_ids(form)
    cascade = form.get("delete_associated_contacts_deals") == "true"
    async with me.db.transaction() as tx:
        results = await section.service.bulk_destroy(tx, me.who, ids, cascade=cascade)
    return f"{_done(section, results)} moved to the recycle bin."


BULK_ACTIONS = {"assign": _assign, "delete": _delete}


async def run_bulk(
    request: Request, me: WebContext, section: Section, columns: tuple[Column, ...], action: str
) -> Response:
    """A bulk action on the selected rows, then the table again (htmx) or the list."""
    work = BULK_ACTIONS.get(action)
    if work is None:
        raise NotFoundError("Requested resource not found")
    form = await request.form()
    notice = await work(me, section, form)
    state = ListState.of({k: v for k, v in form.items() if isinstance(v, str)})
    if "hx-request" not in request.headers:
        return redirect(request, state.url(section.base))
    found = await listing(me, section, columns, state)
    return fragment(request, me, "lists/table.html", listing=found, notice=notice)


# --- routes -------------------------------------------------------------------------------


def _add_section_routes(slug: str) -> None:
    section, columns = SECTIONS[slug], COLUMNS[slug]

    async def list_records(request: Request, me: Me) -> Response:
        return await show_list(request, me, section, columns)

    async def bulk_records(request: Request, me: Me, action: str) -> Response:
        return await run_bulk(request, me, section, columns, action)

    list_records.__name__ = f"list_{slug}"
    bulk_records.__name__ = f"bulk_{slug}"
    router.add_api_route(section.base, list_records, methods=["GET"])
    router.add_api_route(section.base + "/bulk/{action}", bulk_records, methods=["POST"])


for _slug in SECTIONS:
    _add_section_routes(_slug)


@router.get("/modules")
async def list_modules(request: Request, me: Me) -> Response:
    found = await modules.all_modules(me.db, me.who.workspace_id)
    return page(request, me, "lists/modules.html", modules=found)


@router.get("/modules/{entity_name}")
async def list_module_records(request: Request, me: Me, entity_name: str) -> Response:
    section = await module_section(me.db, me.who, entity_name)
    return await show_list(request, me, section, COLUMNS["modules"])


@router.post("/modules/{entity_name}/bulk/{action}")
async def bulk_module_records(request: Request, me: Me, entity_name: str, action: str) -> Response:
    section = await module_section(me.db, me.who, entity_name)
    return await run_bulk(request, me, section, COLUMNS["modules"], action)
