"""Rendering pages: one Jinja2 environment, the layout's context, and errors as HTML.

A handler calls `page(request, me, "contacts/list.html", ...)`. When htmx asks (the
`HX-Request` header, not a boosted navigation), the same template renders without the
layout around it, so one handler serves a whole page and its partial update.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opensales import __version__
from opensales.kit.timezones import zone
from opensales.web.security import WebContext

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["version"] = __version__


def is_htmx(request: Request) -> bool:
    """An htmx swap of part of a page; a boosted link, or a history restore after Back on a
    cache miss, replaces the whole body and needs the layout."""
    headers = request.headers
    return (
        "hx-request" in headers
        and "hx-boosted" not in headers
        and "hx-history-restore-request" not in headers
    )


def page(
    request: Request,
    me: WebContext | None,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the layout, or (for htmx) just its content block."""
    context.update(
        me=me,
        csrf_token=me.csrf_token if me else context.get("csrf_token", ""),
        layout="partial.html" if is_htmx(request) else "base.html",
        path=request.url.path,
    )
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )


def fragment(request: Request, me: WebContext, template: str, **context: Any) -> HTMLResponse:
    """A piece of a page for htmx to swap in (a template with no layout)."""
    context.update(me=me, csrf_token=me.csrf_token)
    return templates.TemplateResponse(request, template, context)


def redirect(request: Request, location: str) -> Response:
    """Go to `location` after a form: htmx follows HX-Redirect, a plain form the 303."""
    if "hx-request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def error_page(request: Request, status_code: int, message: str) -> Response:
    """An error for a person. htmx swaps it into the page's alert region (#flash)."""
    if is_htmx(request):
        return templates.TemplateResponse(
            request,
            "error_flash.html",
            {"message": message},
            status_code=status_code,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    return templates.TemplateResponse(
        request,
        "error.html",
        {"message": message, "status": status_code, "me": None, "layout": "base.html"},
        status_code=status_code,
    )


# --- filters --------------------------------------------------------------------------------


def money(value: Any, currency: str = "") -> str:
    """`12,500.00`: amounts as people read them."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = f"{amount:,.2f}"
    return f"{currency} {text}".strip()


def when(value: Any, time_zone: str | None = None) -> str:
    """A stored timestamp as `2026-12-02 09:30` (in `time_zone`, else UTC), a date as
    `2026-12-02`. SQLite gives timestamps back as naive UTC text, PostgreSQL as datetimes."""
    if value in (None, ""):
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value)
        if len(text) < 16:
            return text
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if time_zone:
        moment = moment.astimezone(zone(time_zone))
    return moment.strftime("%Y-%m-%d %H:%M")


templates.env.filters["money"] = money
templates.env.filters["when"] = when
