"""API settings: the user's own API key and their bundle alias, as Freshsales shows them.

Keys are stored hashed, so a key can be shown only when it is made: the page makes a new
one on request and shows it once (the old one stops working). See docs/web.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.user import service as users
from opensales.web.render import page
from opensales.web.security import Me
from opensales.workspace import service as workspaces

router = APIRouter(include_in_schema=False)


async def _page(request: Request, me: Me, new_key: str | None = None) -> Response:
    alias = await workspaces.name_of(me.db, me.who.workspace_id)
    base = str(request.base_url).rstrip("/")
    return page(
        request,
        me,
        "api_settings.html",
        alias=alias,
        api_url=f"{base}/crm/sales/api",
        new_key=new_key,
    )


@router.get("/settings/api")
async def api_settings(request: Request, me: Me) -> Response:
    return await _page(request, me)


@router.post("/settings/api/key")
async def new_api_key(request: Request, me: Me) -> Response:
    async with me.db.transaction() as tx:
        key = await users.rotate_key(tx, me.who.user_id)
    return await _page(request, me, new_key=key)
