"""The dashboard: charts a manager reads at a glance, over what the user may see (an admin
everything, a manager their territory, a rep their own); report/service.py counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.report import service as reports
from opensales.web.render import page
from opensales.web.security import Me

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def show_dashboard(request: Request, me: Me, pipeline: str | None = None) -> Response:
    """Pipeline value by stage, won and lost per month, activities by user, forecast."""
    board = await reports.dashboard(me.db, me.who, pipeline)
    return page(request, me, "dashboard/index.html", board=board)
