"""The web tracking API (`/crm/sales/track/...`, keyed by the workspace's tracking key) and
the admin setting that shows or rotates that key (`/api/settings/tracking`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.db import Conn
from opensales.errors import PermissionDeniedError
from opensales.kit.http import json_response, principal, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.principal import Principal
from opensales.kit.routes import database
from opensales.tracking import service

# Mounted at /crm/sales (where Freshsales serves it) and at the root (Classic accounts'
# libraries post to https://DOMAIN.freshsales.io/track/...).
router = APIRouter(tags=["Web tracking"])
# Under /api with the other settings.
settings_router = APIRouter(tags=["Settings"])

Work = Callable[[Conn, Principal, dict[str, Any]], Awaitable[dict[str, Any]]]


class VisitorRequest(BaseModel):
    application_token: str | None = None
    identifier: str | None = None
    visitor: dict[str, Any] | None = None


class EventRequest(VisitorRequest):
    event: dict[str, Any]


class PageViewRequest(VisitorRequest):
    page_view: dict[str, Any] | list[dict[str, Any]]


class TrackedOut(BaseModel):
    message: str
    contact_id: int


class TrackingKeyOut(BaseModel):
    tracking_key: str


async def _track(request: Request, work: Work) -> Response:
    """Read the body, find the workspace by its key, do `work` in one transaction."""
    body = read_json(await request.body())
    key = _key(body) or _key(request.query_params)
    async with database(request).transaction() as tx:
        who = await service.authenticate(tx, key)
        return json_response(await work(tx, who, body))


def _key(source: Any) -> str | None:
    """`application_token` as Freshsales' libraries send it, or `app_token`."""
    key = source.get("application_token") or source.get("app_token")
    return key if isinstance(key, str) else None


@router.post(
    "/track/visitors",
    summary="Identify a visitor",
    responses=responses(TrackedOut),
    openapi_extra=body(VisitorRequest),
)
async def track_visitor(request: Request) -> Response:
    """Create the visitor's contact (by email), or update it with the posted properties."""
    return await _track(request, service.identify)


@router.post(
    "/track/events",
    summary="Track a visitor's event",
    responses=responses(TrackedOut),
    openapi_extra=body(EventRequest),
)
async def track_event(request: Request) -> Response:
    """Record a named event with its properties on the visitor's timeline."""
    return await _track(request, service.track_event)


@router.post(
    "/track/page_views",
    summary="Track a visitor's page views",
    responses=responses(TrackedOut),
    openapi_extra=body(PageViewRequest),
)
async def track_page_views(request: Request) -> Response:
    """Record the pages a visitor viewed on their timeline."""
    return await _track(request, service.track_page_views)


def _admin(request: Request) -> Principal:
    who = principal(request)
    if not who.is_admin:
        raise PermissionDeniedError("Only admins can see or rotate the tracking key")
    return who


@settings_router.get(
    "/settings/tracking",
    summary="Show the tracking key (admins)",
    responses=responses(TrackingKeyOut),
)
async def get_tracking_key(request: Request) -> Response:
    """The key websites send with the web tracking API."""
    who = _admin(request)
    key = await service.tracking_key(database(request), who.workspace_id)
    return json_response({"tracking_key": key})


@settings_router.post(
    "/settings/tracking/rotate_key",
    summary="Rotate the tracking key (admins)",
    responses=responses(TrackingKeyOut),
)
async def rotate_tracking_key(request: Request) -> Response:
    """A new tracking key; the old one stops working at once."""
    who = _admin(request)
    async with database(request).transaction() as tx:
        key = await service.rotate_key(tx, who.workspace_id)
    return json_response({"tracking_key": key})
