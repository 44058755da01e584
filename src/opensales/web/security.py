"""Who a browser is: the session cookie, and the CSRF token every unsafe request carries.

Every page takes `Me` (a dependency): it answers the signed-in user, sends anyone else to
the sign-in page, and refuses a POST, PUT or DELETE whose token (the `csrf_token` form
field, or the `X-CSRF-Token` header htmx sends) is not the session's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from opensales.db import Database
from opensales.errors import OpenSalesError, PermissionDeniedError
from opensales.kit.principal import Principal
from opensales.user.sessions import SESSION_LIFETIME, session_of

SESSION_COOKIE = "opensales_session"
# Before sign-in there is no session: the sign-in form's token is a cookie of its own
# (the double-submit pattern).
LOGIN_CSRF_COOKIE = "opensales_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FAILED = "This form has expired: reload the page and try again"


class SignInRequiredError(OpenSalesError):
    """No live session: the error handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("Sign in to continue", 401)
        self.location = "/login?next=" + quote(next_path, safe="/?=&")


@dataclass(frozen=True, slots=True)
class WebContext:
    """The signed-in user of one page request, and what the page needs around them."""

    who: Principal
    csrf_token: str
    db: Database

    @property
    def is_admin(self) -> bool:
        return self.who.is_admin


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def csrf_matches(request: Request, expected: str) -> bool:
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    return sent is not None and secrets.compare_digest(sent, expected)


async def web_user(request: Request) -> WebContext:
    db = database(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = await session_of(db, token) if token else None
    if session is None:
        query = request.url.query
        here = request.url.path + (f"?{query}" if query else "")
        raise SignInRequiredError(here if request.method in SAFE_METHODS else "/")
    if request.method not in SAFE_METHODS and not await csrf_matches(request, session.csrf_token):
        raise PermissionDeniedError(CSRF_FAILED)
    return WebContext(session.who, session.csrf_token, db)


async def admin_user(me: Annotated[WebContext, Depends(web_user)]) -> WebContext:
    if not me.is_admin:
        raise PermissionDeniedError("Only admins can open the admin settings")
    return me


Me = Annotated[WebContext, Depends(web_user)]
Admin = Annotated[WebContext, Depends(admin_user)]


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, secure=secure, samesite="lax", path="/"
    )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    set_cookie(request, response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
