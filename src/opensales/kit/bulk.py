"""`POST /api/{kind}/bulk_upsert`: up to 100 upserts queued as one BULK_UPSERT job.

The request is checked as a whole (at most 100 items, each one identifier pair besides
`data`) and refused with nothing queued when it is malformed; each item is then applied by
the kind's `RecordService.upsert` in the background, in order, and fails alone (its
identifier and message go into the job's failure report).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from opensales.db import Conn, Database
from opensales.errors import ValidationError
from opensales.kit import jobs
from opensales.kit.fields import model
from opensales.kit.http import json_response, principal, read_json
from opensales.kit.openapi import body, responses
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService

BULK_UPSERT = "BULK_UPSERT"
MAX_ITEMS = 100
# The services whose records bulk upsert jobs apply, by entity type (the kind's plural).
_services: dict[str, RecordService] = {}


class BulkUpsertItem(BaseModel):
    """`{"<unique identifier name>": "<value>", "data": {...}}`."""

    model_config = ConfigDict(extra="allow")
    data: dict[str, Any] | None = None


class BulkUpsertAccepted(BaseModel):
    message: str
    job_status_url: str


def _identifier(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "data"}


def check_items(plural: str, raw: Any) -> list[dict[str, Any]]:
    """The request's items, or a 400 naming the first that is malformed."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(f"Invalid value for {plural}: must be a non-empty array of items")
    if len(raw) > MAX_ITEMS:
        raise ValidationError(
            f"Too many {plural}: at most {MAX_ITEMS} per bulk_upsert request (got {len(raw)})"
        )
    for n, item in enumerate(raw):
        where = f"{plural}[{n}]"
        if not isinstance(item, dict):
            raise ValidationError(f"Invalid value for {where}: must be an object")
        if not isinstance(item.get("data", {}), dict):
            raise ValidationError(f"Invalid value for {where}.data: must be an object")
        names = list(_identifier(item))
        if len(names) != 1:
            found = f" (got {', '.join(names)})" if names else ""
            raise ValidationError(
                f"Invalid value for {where}: give exactly one unique identifier besides data{found}"
            )
        value = item[names[0]]
        if not isinstance(value, str | int | float) or isinstance(value, bool) or value == "":
            raise ValidationError(
                f"Invalid value for {where}.{names[0]}: must be a string or a number"
            )
    return raw


async def _apply(conn: Conn, who: Principal, item: jobs.Item) -> None:
    service = _services[item.entity_type or ""]
    await service.upsert(conn, who, _identifier(item.value), item.value.get("data") or {})


jobs.register(jobs.JobType(BULK_UPSERT, _apply, describe=_identifier))


def job_status_url(request: Request, job_id: int) -> str:
    """On this server, under /crm/sales when the client called it that way."""
    base = str(request.base_url).rstrip("/")
    raw_path: bytes = request.scope.get("raw_path") or b""
    prefix = "/crm/sales" if raw_path.startswith(b"/crm/sales/") else ""
    return f"{base}{prefix}/api/job_statuses/{job_id}"


def add_bulk_upsert_route(router: APIRouter, service: RecordService) -> None:
    kind = service.kind
    _services[kind.plural] = service
    request_model = model(
        f"{kind.model_class}BulkUpsert", {kind.plural: (list[BulkUpsertItem], ...)}
    )

    @router.post(
        f"/{kind.plural}/bulk_upsert",
        summary=f"Create or update up to {MAX_ITEMS} {kind.plural} in the background",
        responses=responses(BulkUpsertAccepted),
        openapi_extra=body(request_model),
    )
    async def bulk_upsert_records(request: Request) -> Response:
        """Queue a bulk upsert job; track it at job_status_url (GET /api/job_statuses/{id})."""
        who = principal(request)
        items = check_items(kind.plural, read_json(await request.body()).get(kind.plural))
        db: Database = request.app.state.db
        async with db.transaction() as tx:
            job_id = await jobs.enqueue(tx, who, BULK_UPSERT, items, entity_type=kind.plural)
        jobs.wake(db)
        return json_response(
            {
                "message": f"Batch job {job_id} initiated. Please track progress in the "
                "job_status_url",
                "job_status_url": job_status_url(request, job_id),
            }
        )
