"""/api/leads: every shared record endpoint, built from the lead service, plus conversion,
and the workspace's switch (`/api/settings/leads`). A workspace with leads switched off lists
no lead views (docs/leads.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.contact.service import contact_service
from opensales.errors import NotFoundError, PermissionDeniedError, ValidationError
from opensales.kit import views
from opensales.kit.coerce import path_id, to_bool
from opensales.kit.fastpath import Call, route
from opensales.kit.http import json_response, page_params, principal, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.routes import PAGE, PER_PAGE, RecordHandlers, call_of, database, record_router
from opensales.lead import conversion, repository
from opensales.lead.kind import LEAD
from opensales.lead.service import lead_service


class LeadSettings(BaseModel):
    leads_enabled: bool


class ConvertOut(BaseModel):
    contact_id: int
    sales_account_id: int | None
    deal_id: int | None
    contact: dict[str, object]


router = APIRouter(tags=["Lead"])
_records = record_router(lead_service)
_handlers = RecordHandlers(lead_service)


async def _view(call: Call, view_id: str) -> object:
    if not await repository.leads_enabled(call.db, call.who.workspace_id):
        raise NotFoundError("View not found")
    return await _handlers.view(call, view_id)


# Before the shared ones: the gate takes the first match. Every view id is digits, so the
# gate serves them all (FastAPI's shared route only ever sees ids that match no view).
router.fast_routes = [  # type: ignore[attr-defined]
    route("GET", "/api/leads/view/{view_id}", _view),
    *_records.fast_routes,  # type: ignore[attr-defined]
]


@router.get("/leads/filters", summary="List the lead views", responses=responses(views.FiltersOut))
async def list_lead_views(
    request: Request, page: str | None = PAGE, per_page: str | None = PER_PAGE
) -> Response:
    db, who = database(request), principal(request)
    number, size = page_params(request)
    if not await repository.leads_enabled(db, who.workspace_id):
        return json_response({"filters": [], "meta": views.meta(0, size)})
    return json_response(await views.list_filters(db, who, LEAD, number, size))


@router.post(
    "/leads/{record_id}/convert",
    summary="Convert a lead into a contact, its account and optionally a deal",
    responses=responses(ConvertOut),
)
async def convert_lead(request: Request, record_id: str, include: str | None = None) -> Response:
    call = await call_of(request)
    data = read_json(call.body)
    async with call.db.transaction() as tx:
        made = await conversion.convert(tx, call.who, path_id(record_id), data)
        contact = await contact_service.get(tx, call.who, made.contact_id, scoped=False)
    return json_response(
        {
            "contact_id": made.contact_id,
            "sales_account_id": made.sales_account_id,
            "deal_id": made.deal_id,
            **contact,
        }
    )


@router.get(
    "/settings/leads", summary="Whether leads are enabled", responses=responses(LeadSettings)
)
async def lead_settings(request: Request) -> Response:
    enabled = await repository.leads_enabled(database(request), principal(request).workspace_id)
    return json_response({"leads_enabled": enabled})


@router.put(
    "/settings/leads",
    summary="Switch leads on or off (admins)",
    responses=responses(LeadSettings),
    openapi_extra=body(LeadSettings),
)
async def switch_leads(request: Request) -> Response:
    who = principal(request)
    if not who.is_admin:
        raise PermissionDeniedError("Only admins may switch leads on or off")
    data = read_json(await request.body())
    try:
        enabled = to_bool(data.get("leads_enabled"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for leads_enabled: {exc}") from None
    if enabled is None:
        raise ValidationError("Invalid value for leads_enabled: is required")
    async with database(request).transaction() as tx:
        await repository.set_leads_enabled(tx, who.workspace_id, enabled)
    return json_response({"leads_enabled": enabled})


router.include_router(_records)
