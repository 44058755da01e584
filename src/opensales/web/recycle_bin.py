"""The recycle bin: deleted contacts, accounts, deals and custom-module records within the
user's scope, who deleted them and when; restore them, or forget them for good (after a
confirmation), as the API's restore and forget routes do."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.custom_module import service as custom_modules
from opensales.db import Row
from opensales.errors import ValidationError
from opensales.kit import recycle_bin
from opensales.kit.coerce import query_int, to_id
from opensales.kit.dates import format_timestamp
from opensales.kit.sideload import load_users
from opensales.web.kinds import SECTIONS, Section, module_section, section
from opensales.web.render import page, redirect
from opensales.web.security import Me, WebContext

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
MAX_PAGE = 10_000


async def _section(me: WebContext, kind: str) -> Section:
    if kind in SECTIONS:
        return section(kind)
    return await module_section(me.db, me.who, kind)


async def _tabs(me: WebContext) -> list[tuple[str, str]]:
    """(kind, label) of every kind of record with a bin: the three, then the modules."""
    found = [(slug, s.label) for slug, s in SECTIONS.items()]
    for module in await custom_modules.all_modules(me.db, me.who.workspace_id):
        found.append((module["entity_name"], module["plural_name"]))
    return found


def title_of(row: Row) -> str:
    """What people call a record: its name, or a contact's display name."""
    names = (row.get("first_name"), row.get("last_name"))
    full = " ".join(n for n in names if n)
    return str(row.get("display_name") or full or row.get("name") or f"#{row['id']}")


async def _ids(request: Request) -> list[int]:
    form = await request.form()
    try:
        ids = [to_id(v) for v in form.getlist("id") if isinstance(v, str)]
    except ValueError as exc:
        raise ValidationError(f"Invalid value for id: {exc}") from None
    found = [i for i in ids if i is not None]
    if not found:
        raise ValidationError("Select the records first")
    return list(dict.fromkeys(found))


@router.get("/recycle-bin")
async def recycle_bin_page(request: Request, me: Me) -> Response:
    """One page of one kind's bin, the last deleted first."""
    kind = request.query_params.get("kind", "contacts")
    number = min(max(query_int(request.query_params.get("page"), 1), 1), MAX_PAGE)
    current = await _section(me, kind)
    rows, total = await recycle_bin.deleted_page(current.service, me.db, me.who, number, PER_PAGE)
    deleters = await load_users(me.db, me.who.workspace_id, {r["updater_id"] for r in rows})
    names = {u["id"]: u["display_name"] for u in deleters}
    items: list[dict[str, Any]] = [
        {
            "id": r["id"],
            "title": title_of(r),
            "deleted_by": names.get(r["updater_id"], ""),
            # UTC text the same on both databases (`when` shows it to the minute).
            "deleted_at": format_timestamp(r["deleted_at"] or r["updated_at"]),
        }
        for r in rows
    ]
    return page(
        request,
        me,
        "recycle_bin/list.html",
        kind=kind,
        section=current,
        tabs=await _tabs(me),
        items=items,
        total=total,
        page_number=number,
        has_next=number * PER_PAGE < total,
        restored=request.query_params.get("restored"),
        forgotten=request.query_params.get("forgotten"),
    )


@router.post("/recycle-bin/{kind}/restore")
async def restore_records(request: Request, me: Me, kind: str) -> Response:
    """Bring the selected records back, with the links they had."""
    ids = await _ids(request)
    current = await _section(me, kind)
    async with me.db.transaction() as tx:
        restored = await recycle_bin.restore(current.service, tx, me.who, ids)
    return redirect(request, f"/recycle-bin?kind={kind}&restored={len(restored)}")


@router.post("/recycle-bin/{kind}/forget")
async def forget_records(request: Request, me: Me, kind: str) -> Response:
    """Forget the selected records for good, once the person has confirmed it."""
    ids = await _ids(request)
    current = await _section(me, kind)
    confirmed = (await request.form()).get("confirm") == "yes"
    async with me.db.transaction() as tx:
        rows = await recycle_bin.deleted_rows(current.service, tx, me.who, ids)
        if not confirmed:
            items = [{"id": r["id"], "title": title_of(r)} for r in rows]
            return page(
                request, me, "recycle_bin/confirm.html", kind=kind, section=current, items=items
            )
        for row in rows:
            await current.service.forget(tx, me.who, row["id"])
    return redirect(request, f"/recycle-bin?kind={kind}&forgotten={len(rows)}")
