"""The web app for people: server-rendered pages (Jinja2 + htmx) that call the same
services as the API. `install` adds its routes and static files to the application."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from opensales.web import (
    activity,
    admin,
    api_settings,
    auth,
    dashboard,
    lists,
    my_day,
    pipeline,
    records,
    recycle_bin,
    search,
)
from opensales.web.render import HERE

# Record pages (`/contacts/{id:int}`, `/contacts/new`) before the lists (`/contacts`).
ROUTERS = (
    auth.router,
    api_settings.router,
    records.router,
    activity.router,
    lists.router,
    pipeline.router,
    my_day.router,
    search.router,
    dashboard.router,
    admin.router,
    recycle_bin.router,
)
# Paths of the machine surfaces (the API, Freshsales' URL forms, tracking, the test
# double's controls, the OpenAPI docs): everything else is the web app's.
MACHINE_PREFIXES = ("/api", "/crm/", "/track/", "/_opensales/", "/openapi.json", "/docs", "/redoc")


def serves(path: str) -> bool:
    """Is this request the web app's (its errors are pages, not JSON envelopes)?"""
    return not path.startswith(MACHINE_PREFIXES)


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
