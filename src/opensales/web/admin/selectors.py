"""Territories, pipelines and their stages, and the other configuration lists: add, rename,
change a stage's probability and forecast type, reorder, delete (selector/admin.py says
what may be deleted)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.errors import NotFoundError
from opensales.selector import admin as options
from opensales.selector.service import CHILDREN, KINDS
from opensales.web.admin.forms import form_of, id_or_none
from opensales.web.render import page, redirect
from opensales.web.security import Admin

router = APIRouter(include_in_schema=False)

# Lists with a page of their own; a child kind (a pipeline's stages) is edited on its parent's.
OWN_PAGES = {"territories": "/admin/territories", "deal_pipelines": "/admin/pipelines"}
# Which record types activities can target: the app's, not a list to edit.
FIXED = frozenset({"sales_activity_entity_types"})
LISTS = {
    kind: kind.replace("_", " ").capitalize()
    for kind in sorted(KINDS - set(options.PARENTS) - set(OWN_PAGES) - FIXED)
}
# What one option of a nested list is called.
NOUNS = {
    "deal_pipelines": "pipeline",
    "deal_stages": "stage",
    "lifecycle_stages": "lifecycle stage",
    "contact_statuses": "status",
    "sales_activity_types": "activity type",
    "sales_activity_outcomes": "outcome",
}
TITLES = {**LISTS, "territories": "Territories", "deal_pipelines": "Pipelines and stages"}


def page_of(kind: str) -> str:
    """The page where options of `kind` are edited."""
    top = options.PARENTS.get(kind, kind)
    return OWN_PAGES.get(top, f"/admin/selectors/{top}")


def _editable(kind: str) -> str:
    if kind not in KINDS or kind in FIXED:
        raise NotFoundError(f"Unknown list: {kind[:60]}")
    return kind


async def _list_page(request: Request, me: Admin, kind: str) -> Response:
    top, nested = await options.tree(me.db, me.who, kind)
    return page(
        request,
        me,
        "admin/selector.html",
        kind=kind,
        title=TITLES[kind],
        child_kind=CHILDREN.get(kind),
        top=top,
        nested=nested,
        forecast_types=options.FORECAST_TYPES,
        nouns=NOUNS,
    )


@router.get("/admin/territories")
async def territories(request: Request, me: Admin) -> Response:
    return await _list_page(request, me, "territories")


@router.get("/admin/pipelines")
async def pipelines(request: Request, me: Admin) -> Response:
    return await _list_page(request, me, "deal_pipelines")


@router.get("/admin/selectors/{kind}")
async def selector_list(request: Request, me: Admin, kind: str) -> Response:
    if kind in options.PARENTS or kind in OWN_PAGES:
        return redirect(request, page_of(_editable(kind)))
    return await _list_page(request, me, _editable(kind))


@router.post("/admin/selectors/{kind}/options")
async def add_option(request: Request, me: Admin, kind: str) -> Response:
    """A new option (a stage: under the pipeline the form names)."""
    form = await form_of(request)
    parent_id = id_or_none(form.pop("parent_id", None), "parent_id")
    async with me.db.transaction() as tx:
        await options.add_option(tx, me.who, _editable(kind), dict(form), parent_id)
    return redirect(request, page_of(kind))


@router.post("/admin/selectors/{kind}/options/{option_id:int}")
async def update_option(request: Request, me: Admin, kind: str, option_id: int) -> Response:
    """Rename an option, or change a stage's probability and type, a currency's rate."""
    form = await form_of(request)
    async with me.db.transaction() as tx:
        await options.update_option(tx, me.who, _editable(kind), option_id, dict(form))
    return redirect(request, page_of(kind))


@router.post("/admin/selectors/{kind}/options/{option_id:int}/move")
async def move_option(request: Request, me: Admin, kind: str, option_id: int) -> Response:
    step = -1 if (await form_of(request)).get("step") == "up" else 1
    async with me.db.transaction() as tx:
        await options.move_option(tx, me.who, _editable(kind), option_id, step)
    return redirect(request, page_of(kind))


@router.post("/admin/selectors/{kind}/options/{option_id:int}/delete")
async def delete_option(request: Request, me: Admin, kind: str, option_id: int) -> Response:
    async with me.db.transaction() as tx:
        await options.delete_option(tx, me.who, _editable(kind), option_id)
    return redirect(request, page_of(kind))
