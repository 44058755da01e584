"""create_app(): the API under /api (and /crm/sales/api), errors in Freshsales' envelope."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from opensales import __version__
from opensales.account.api import router as account_router
from opensales.appointment.api import router as appointment_router
from opensales.classic.paths import ClassicPaths
from opensales.config import Settings, get_settings
from opensales.contact.api import router as contact_router
from opensales.cpq_document.api import router as cpq_document_router
from opensales.custom_module.api import router as custom_module_router
from opensales.custom_module.engagement_api import router as module_engagement_router
from opensales.db import create_database
from opensales.deal.api import router as deal_router
from opensales.errors import OpenSalesError, error_response
from opensales.file.api import router as file_router
from opensales.filtered_search.api import router as filtered_search_router
from opensales.job.api import router as job_router
from opensales.kit.fastpath import FastRoutes
from opensales.kit.jobs import Worker
from opensales.kit.openapi import add_request_models, drop_unprocessable
from opensales.kit.ratelimit import RateLimiter
from opensales.lead.api import router as lead_router
from opensales.marketing_list.api import router as marketing_list_router
from opensales.middleware import PREFIX, ApiGate
from opensales.note.api import router as note_router
from opensales.phone_call.api import router as phone_call_router
from opensales.product.api import router as product_router
from opensales.sales_activity.api import router as sales_activity_router
from opensales.saved_view.api import module_router as module_saved_view_router
from opensales.saved_view.api import router as saved_view_router
from opensales.search.api import router as search_router
from opensales.selector.api import router as selector_router
from opensales.settings.api import router as settings_router
from opensales.task.api import router as task_router
from opensales.test_control.api import install as install_test_control
from opensales.tracking.api import router as tracking_router
from opensales.tracking.api import settings_router as tracking_settings_router
from opensales.web import install as install_web
from opensales.web import serves as web_serves
from opensales.web.render import error_page, redirect
from opensales.web.security import SignInRequiredError

logger = logging.getLogger("opensales")
# Routes under a record's path (/api/contacts/lists/{id}, /api/contacts/{id}/notes) come
# before the record's own, so that they reach their resource.
ROUTERS = (
    filtered_search_router,
    saved_view_router,
    marketing_list_router,
    note_router,
    file_router,
    contact_router,
    account_router,
    deal_router,
    lead_router,
    selector_router,
    settings_router,
    tracking_settings_router,
    job_router,
    task_router,
    appointment_router,
    sales_activity_router,
    phone_call_router,
    product_router,
    cpq_document_router,
    module_engagement_router,
    module_saved_view_router,
    search_router,
    # Last: its /{entity_name}/filters must not shadow /contacts/filters and the like.
    custom_module_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = create_database(settings.resolved_database_url)
    limiter = RateLimiter(db, settings.rate_limit_per_hour, settings.rate_limit_flush_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.connect(serving=True)
        if settings.test_mode:
            await app.state.test_control.mark_baseline()
        worker = None
        if settings.worker:
            worker = Worker(
                db,
                lease_seconds=settings.job_lease_seconds,
                poll_seconds=settings.worker_poll_seconds,
            )
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            if settings.test_mode:
                await app.state.test_control.close()
            await limiter.flush()
            await db.close()

    app = FastAPI(
        title="opensales",
        version=__version__,
        description="A self-hosted sales CRM whose REST API is the Freshsales API.",
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry hooks cost a check per request; opensales exports none.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.db = db
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router, prefix="/api")
    app.include_router(tracking_router, prefix=PREFIX)  # see docs/tracking.md
    app.include_router(tracking_router, include_in_schema=False)
    install_web(app)  # the pages for people: see docs/web.md
    _add_error_handlers(app)
    _extend_openapi(app)
    fast_routes = FastRoutes([r for router in ROUTERS for r in getattr(router, "fast_routes", [])])
    app.add_middleware(ApiGate, db=db, settings=settings, limiter=limiter, fast_routes=fast_routes)
    app.add_middleware(ClassicPaths)  # in front of the gate: see docs/classic_paths.md
    if settings.test_mode:
        install_test_control(app, db, limiter)  # /_opensales/: see docs/testing.md
    if os.environ.get("OPENSALES_BENCH_CEILING") == "1":
        app.add_middleware(BenchCeiling)  # outermost: see BenchCeiling
    return app


async def _bench_ceiling(request: Request) -> Response:
    """`bytes` fixed bytes (a POST reads its body first): no auth, no database."""
    if request.method == "POST":
        await request.body()
    raw = request.query_params.get("bytes", "")
    size = min(max(int(raw) if raw.isdigit() else 2, 2), 1 << 20)
    return Response(b"{" + b" " * (size - 2) + b"}", media_type="application/json")


class BenchCeiling:
    """`make bench`'s ceiling, only with OPENSALES_BENCH_CEILING=1 (bench/run.py sets it;
    never in production): `/bench/ceiling?bytes=N` is a bare Starlette route served in
    front of the API gate and FastAPI's routing, so it measures what the server costs
    before any of opensales' own code runs. See docs/benchmarks.md."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.route = Route("/bench/ceiling", _bench_ceiling, methods=["GET", "POST"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/bench/ceiling"
            and scope["method"] in ("GET", "POST")
        ):
            await self.route.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _add_error_handlers(app: FastAPI) -> None:
    def error(request: Request, status: int, message: str, headers: Any = None) -> Response:
        # The web app's errors are pages for people; everything else gets the envelope.
        if web_serves(request.url.path):
            return error_page(request, status, message)
        return error_response(status, message, headers)

    @app.exception_handler(OpenSalesError)
    async def domain_error(request: Request, exc: OpenSalesError) -> Response:
        if isinstance(exc, SignInRequiredError):
            return redirect(request, exc.location)
        return error(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # No route for this method and path is an invalid URL to Freshsales (Rails): 404.
        if exc.status_code in (404, 405):
            return error(request, 404, "Requested resource not found")
        return error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A bug: logged by the server, answered in the documented envelope all the same.
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(request, 500, "Unexpected server error")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error(request, 400, f"Invalid value for {where}: {first.get('msg', 'invalid')}")


def _extend_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            add_request_models(schema)
            drop_unprocessable(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
