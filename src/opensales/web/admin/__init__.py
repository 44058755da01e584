"""Admin settings (admins only): users and roles, territories, pipelines and the other
configuration lists, custom fields and custom modules. Each section is a module with its
own router; `router` gathers them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.web.admin import fields, modules, selectors, users
from opensales.web.admin.selectors import LISTS
from opensales.web.render import page
from opensales.web.security import Admin

router = APIRouter(include_in_schema=False)


@router.get("/admin")
async def admin_index(request: Request, me: Admin) -> Response:
    """The index of the admin settings."""
    return page(request, me, "admin/index.html", lists=LISTS)


for section in (users, selectors, fields, modules):
    router.include_router(section.router)
