"""Users and roles: invite, change role and territory, deactivate, rotate API keys.

Passwords and API keys are stored hashed, so a new user's temporary password and key, and
a rotated key, are shown once, on the page that answers the form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.kit.principal import ROLES
from opensales.selector import admin as options
from opensales.user import service as users
from opensales.user.sessions import end_sessions
from opensales.web.admin.forms import form_of, id_or_none
from opensales.web.render import page, redirect
from opensales.web.security import Admin

router = APIRouter(include_in_schema=False)
ROLE_LABELS = {"admin": "Admin", "manager": "Manager", "sales_rep": "Sales rep"}


async def _users_page(request: Request, me: Admin, **shown: Any) -> Response:
    everyone = await users.list_users(me.db, me.who.workspace_id)
    territories = await options.siblings(me.db, me.who, "territories", None)
    return page(
        request,
        me,
        "admin/users.html",
        users=everyone,
        territories=territories,
        roles=[(r, ROLE_LABELS[r]) for r in ROLES],
        **shown,
    )


@router.get("/admin/users")
async def list_users(request: Request, me: Admin) -> Response:
    return await _users_page(request, me)


@router.post("/admin/users")
async def invite_user(request: Request, me: Admin) -> Response:
    """A new user; their password (the admin's, or a generated one) and key shown once."""
    form = await form_of(request)
    password = form.get("password") or users.temporary_password()
    async with me.db.transaction() as tx:
        _, api_key = await users.create_user(
            tx,
            me.who.workspace_id,
            email=form.get("email", ""),
            display_name=form.get("display_name") or None,
            role=form.get("role", "sales_rep"),
            territory_id=id_or_none(form.get("territory_id"), "territory_id"),
            password=password,
        )
    invited = {"email": form.get("email", "").lower(), "password": password, "api_key": api_key}
    return await _users_page(request, me, invited=invited)


@router.post("/admin/users/{user_id:int}")
async def update_user(request: Request, me: Admin, user_id: int) -> Response:
    """Change a user's role and territory."""
    form = await form_of(request)
    async with me.db.transaction() as tx:
        await users.update_user(
            tx,
            me.who.workspace_id,
            user_id,
            role=form.get("role", ""),
            territory_id=id_or_none(form.get("territory_id"), "territory_id"),
        )
    return redirect(request, "/admin/users")


@router.post("/admin/users/{user_id:int}/active")
async def set_user_active(request: Request, me: Admin, user_id: int) -> Response:
    """Deactivate a user (their API key and web sessions stop working) or reactivate them."""
    active = (await form_of(request)).get("active") == "1"
    async with me.db.transaction() as tx:
        await users.change_active(tx, me.who.workspace_id, user_id, active)
        if not active:
            await end_sessions(tx, user_id)
    return redirect(request, "/admin/users")


@router.post("/admin/users/{user_id:int}/key")
async def rotate_user_key(request: Request, me: Admin, user_id: int) -> Response:
    """A new API key for the user, shown once; their old key stops working."""
    async with me.db.transaction() as tx:
        user = await users.get_user(tx, me.who.workspace_id, user_id)
        api_key = await users.rotate_key(tx, user["id"])
    return await _users_page(request, me, rotated={"email": user["email"], "api_key": api_key})
