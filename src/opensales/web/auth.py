"""Signing in and out, and where `/` leads."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from opensales.user import sessions
from opensales.web.render import page, redirect
from opensales.web.security import (
    CSRF_FAILED,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Me,
    database,
    set_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
HOME = "/pipeline"


def _safe_next(target: str | None) -> str:
    """Only a path of this site: `next=https://elsewhere` must not leave it."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return HOME


def _login_form(
    request: Request, *, next_path: str, email: str = "", error: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(
        request,
        None,
        "login.html",
        status_code=status_code,
        csrf_token=token,
        next_path=next_path,
        email=email,
        error=error,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/")
async def home(request: Request) -> Response:
    if request.cookies.get(SESSION_COOKIE):
        return redirect(request, HOME)
    return redirect(request, "/login")


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    return _login_form(request, next_path=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        return _login_form(
            request, next_path=_safe_next(next), email=email, error=CSRF_FAILED, status_code=403
        )
    try:
        async with database(request).transaction() as tx:
            signed_in = await sessions.sign_in(tx, email, password)
    except sessions.LockedOutError as exc:
        return _login_form(
            request,
            next_path=_safe_next(next),
            email=email,
            error=exc.message,
            status_code=exc.status_code,
        )
    if signed_in is None:
        return _login_form(
            request,
            next_path=_safe_next(next),
            email=email,
            error=sessions.BAD_CREDENTIALS,
            status_code=401,
        )
    token, _ = signed_in
    response = redirect(request, _safe_next(next))
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, me: Me) -> Response:
    async with me.db.transaction() as tx:
        await sessions.sign_out(tx, request.cookies[SESSION_COOKIE])
    response = redirect(request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
