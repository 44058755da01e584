"""Global search: the header's box asks `/search?q=` as the user types (htmx) and shows a
dropdown of results grouped by kind; without htmx the same results are a page.

Results come from the search service behind /api/search (search/service.py), in the user's
scope, over contacts, accounts, deals, leads and every custom module's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.custom_module import service as custom_modules
from opensales.search import service as searching
from opensales.web.kinds import record_page_of_type
from opensales.web.render import fragment, is_htmx, page
from opensales.web.security import Me, WebContext

router = APIRouter(include_in_schema=False)

KINDS = {"contact": "Contacts", "sales_account": "Accounts", "deal": "Deals", "lead": "Leads"}
# Results of each kind: the dropdown shows the best few, the page more, of the best
# MAX_RESULTS of all kinds (the most a search answers).
DROPDOWN_SIZE = 5
PAGE_SIZE = 25
MAX_RESULTS = 100


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    results: list[dict[str, Any]]


async def _groups(me: WebContext, q: str, size: int) -> list[Group]:
    """The results for `q` by kind (contacts, accounts, deals, leads, then the custom
    modules), the best `size` of each. One search over every kind ranks them all."""
    modules = await custom_modules.all_modules(me.db, me.who.workspace_id)
    labels = {**KINDS, **{m["entity_name"]: m["plural_name"] for m in modules}}
    query = {"q": q, "include": ",".join(labels), "per_page": str(MAX_RESULTS)}
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in labels}
    for result in await searching.search(me.db, me.who, query):
        kind = result["type"]
        if len(by_kind[kind]) < size:
            by_kind[kind].append({**result, "href": record_page_of_type(kind, result["id"])})
    return [Group(labels[kind], results) for kind, results in by_kind.items() if results]


@router.get("/search")
async def search_records(request: Request, me: Me, q: str = "") -> Response:
    """The results for `q`: a dropdown for the header's box (htmx), else a page."""
    q = q.strip()
    dropdown = is_htmx(request)
    groups = await _groups(me, q, DROPDOWN_SIZE if dropdown else PAGE_SIZE) if q else []
    if dropdown:
        return fragment(request, me, "search/dropdown.html", q=q, groups=groups)
    return page(request, me, "search/page.html", q=q, groups=groups)
