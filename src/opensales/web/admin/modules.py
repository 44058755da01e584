"""Custom modules: list, create, change and delete them (custom_module/service.py; at most
ten per workspace). Deleting one removes its records, fields and views for good."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.custom_module import service as custom_modules
from opensales.web.admin.forms import form_of
from opensales.web.render import page, redirect
from opensales.web.security import Admin

router = APIRouter(include_in_schema=False)
ICONS = sorted(custom_modules.ICONS)


def _spec(form: dict[str, str]) -> dict[str, Any]:
    keys = ("singular_name", "plural_name", "icon", "description", "entity_name")
    return {k: form[k] for k in keys if k in form}


@router.get("/admin/modules")
async def list_modules(request: Request, me: Admin) -> Response:
    found = await custom_modules.all_modules(me.db, me.who.workspace_id)
    return page(
        request,
        me,
        "admin/modules.html",
        modules=found,
        icons=ICONS,
        room=custom_modules.MAX_MODULES - len(found),
    )


@router.post("/admin/modules")
async def create_module(request: Request, me: Admin) -> Response:
    spec = _spec(await form_of(request))
    async with me.db.transaction() as tx:
        await custom_modules.create(tx, me.who, {"module_customization": spec})
    return redirect(request, "/admin/modules")


@router.post("/admin/modules/{module_id:int}")
async def update_module(request: Request, me: Admin, module_id: int) -> Response:
    """Names, icon and description; the entity name stays."""
    spec = _spec(await form_of(request))
    spec.pop("entity_name", None)
    async with me.db.transaction() as tx:
        await custom_modules.update(tx, me.who, str(module_id), {"module_customization": spec})
    return redirect(request, "/admin/modules")


@router.post("/admin/modules/{module_id:int}/delete")
async def delete_module(request: Request, me: Admin, module_id: int) -> Response:
    async with me.db.transaction() as tx:
        await custom_modules.delete(tx, me.who, str(module_id))
    return redirect(request, "/admin/modules")
