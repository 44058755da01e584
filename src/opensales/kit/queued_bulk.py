"""The queued bulk operations of CPQ records (products, documents): bulk update, bulk
assign, bulk delete and bulk restore, each answered at once with a "queued" message and
applied by a background job (kit/jobs.py), one record id per item.

One job type per operation serves every kind: the job's params carry the kind's table, and
`add_queued_bulk_routes` fills the table → service registry the job looks it up in. An id
the user may not see, or that is gone (or, for a restore, not in the bin), fails as an item
and shows in `/api/job_statuses/{id}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.db import Conn
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import jobs, recycle_bin
from opensales.kit.coerce import to_id
from opensales.kit.fields import model
from opensales.kit.http import json_response, validate
from opensales.kit.openapi import body, responses
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.kit.routes import database, write

UPDATE_JOB = "BULK_UPDATE"
ASSIGN_JOB = "BULK_ASSIGN_OWNER"
DELETE_JOB = "BULK_DELETE"
RESTORE_JOB = "BULK_RESTORE"

UPDATE_MESSAGE = "Field update added to queue, you will be notified on success."
ASSIGN_MESSAGE = "Sales owner assignment added to queue, you will be notified on success."
DELETE_MESSAGE = "Bulk deletion added to queue, you will be notified on success."
RESTORE_MESSAGE = "Restoring your {label}, you'll get a notification when this is complete."

# Ids named in one request: bounds the job (every id is one item).
MAX_IDS = 1000

_services: dict[str, RecordService] = {}


class QueuedMessage(BaseModel):
    message: str


# --- the jobs -------------------------------------------------------------------------------


def _service(item: jobs.Item) -> RecordService:
    service = _services.get(str(item.params.get("table")))
    if service is None:  # a job queued by a version that served another kind
        raise NotFoundError(f"No such kind of record: {item.params.get('table')}")
    return service


def _gone(service: RecordService, record_id: Any) -> NotFoundError:
    return NotFoundError(f"{service.kind.label} {record_id} not found")


async def _apply_update(conn: Conn, who: Principal, item: jobs.Item) -> None:
    service = _service(item)
    await service.update(conn, who, int(item.value), dict(item.params["data"]))


async def _apply_assign(conn: Conn, who: Principal, item: jobs.Item) -> None:
    service = _service(item)
    owner = int(item.params["owner_id"])
    result = await service.assign_owner(conn, who, [int(item.value)], owner)
    if not result[0][str(item.value)]:
        raise _gone(service, item.value)


async def _apply_delete(conn: Conn, who: Principal, item: jobs.Item) -> None:
    service = _service(item)
    if not await service.soft_delete(conn, who, [int(item.value)]):
        raise _gone(service, item.value)


async def _apply_restore(conn: Conn, who: Principal, item: jobs.Item) -> None:
    service = _service(item)
    if not await recycle_bin.restore(service, conn, who, [int(item.value)]):
        raise NotFoundError(f"{service.kind.label} {item.value} not found in the recycle bin")


def _describe(value: Any) -> dict[str, Any]:
    return {"id": value}


for _name, _apply in (
    (UPDATE_JOB, _apply_update),
    (ASSIGN_JOB, _apply_assign),
    (DELETE_JOB, _apply_delete),
    (RESTORE_JOB, _apply_restore),
):
    jobs.register(jobs.JobType(_name, _apply, describe=_describe))


# --- reading requests -----------------------------------------------------------------------


def read_ids(data: dict[str, Any], key: str) -> list[int]:
    """A non-empty array of ids (numbers or numeric strings), without repeats."""
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise ValidationError(f"Invalid value for {key}: must be a non-empty array of ids")
    try:
        ids = [to_id(v) for v in raw]
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {key}: {exc}") from None
    if any(i is None for i in ids):
        raise ValidationError(f"Invalid value for {key}: ids must not be blank")
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    if len(unique) > MAX_IDS:
        raise ValidationError(f"Invalid value for {key}: at most {MAX_IDS} ids per request")
    return unique


async def _queue(
    conn: Conn,
    who: Principal,
    service: RecordService,
    job_type: str,
    ids: list[int],
    params: dict[str, Any] | None = None,
) -> int:
    table = service.kind.table
    # Not subject to the in-progress limit: Freshsales sets one for bulk upserts only.
    return await jobs.enqueue(
        conn,
        who,
        job_type,
        ids,
        entity_type=table,
        params={"table": table, **(params or {})},
        limit=None,
    )


async def _owner(conn: Conn, who: Principal, service: RecordService, raw: Any) -> int:
    try:
        owner_id = to_id(raw)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for owner_id: {exc}") from None
    if owner_id is None:
        raise ValidationError("Invalid value for owner_id: is required")
    await service.check_refs(conn, who, {"owner_id": owner_id})
    return owner_id


def _bound(service: RecordService) -> dict[str, Any]:
    """The request handlers of one kind, as `write` runs them (tx, who, body)."""
    kind = service.kind

    async def queue_update(conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        ids = read_ids(data, "ids")
        changes = data.get(kind.singular)
        if not isinstance(changes, dict) or not changes:
            raise ValidationError(
                f"Invalid value for {kind.singular}: must be an object of the fields to set"
            )
        # Check the values now, so that a bad body is a 400 rather than N failed items.
        payload = validate(kind.input_model, changes)
        sent = payload.model_fields_set
        values = {f.name: getattr(payload, f.name) for f in kind.writable if f.name in sent}
        await service.check_refs(conn, who, values)
        return await _queue(conn, who, service, UPDATE_JOB, ids, {"data": changes})

    async def queue_assign(conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        ids = read_ids(data, "selected_ids")
        owner_id = await _owner(conn, who, service, data.get("owner_id"))
        return await _queue(conn, who, service, ASSIGN_JOB, ids, {"owner_id": owner_id})

    async def queue_delete(conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        return await _queue(conn, who, service, DELETE_JOB, read_ids(data, "selected_ids"))

    async def queue_restore(conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        return await _queue(conn, who, service, RESTORE_JOB, read_ids(data, "selected_ids"))

    return {
        "update": queue_update,
        "assign": queue_assign,
        "delete": queue_delete,
        "restore": queue_restore,
    }


# --- routes ---------------------------------------------------------------------------------


def _request_models(service: RecordService) -> dict[str, type[BaseModel]]:
    kind = service.kind
    name = kind.model_class
    ids = (list[int | str], ...)
    return {
        "update": model(
            f"{name}QueuedBulkUpdate", {"ids": ids, kind.singular: (kind.input_model, ...)}
        ),
        "assign": model(
            f"{name}QueuedBulkAssign", {"selected_ids": ids, "owner_id": (int | str, ...)}
        ),
        "selected": model(f"{name}QueuedSelectedIds", {"selected_ids": ids}),
    }


def add_queued_bulk_routes(
    router: APIRouter, service: RecordService, *, path: str, plural: str, restoring_label: str
) -> None:
    """`PUT {path}/{plural}_bulk_update`, `POST {path}/{plural}_bulk_assign`,
    `POST {path}/{plural}_bulk_delete` and `POST|PUT {path}/{plural}_bulk_restore`.

    Call it before declaring `{path}/{id}` routes, which would otherwise take these paths.
    """
    _services[service.kind.table] = service
    work = _bound(service)
    m = _request_models(service)
    base = f"{path}/{plural}"
    out = responses(QueuedMessage)

    async def run(request: Request, name: str, message: str) -> Response:
        await write(request, work[name])
        jobs.wake(database(request))
        return json_response({"message": message})

    @router.put(
        f"{base}_bulk_update",
        summary=f"Update many {plural} (queued)",
        responses=out,
        openapi_extra=body(m["update"]),
    )
    async def bulk_update_records(request: Request) -> Response:
        """Set the same fields on many records, in the background."""
        return await run(request, "update", UPDATE_MESSAGE)

    @router.post(
        f"{base}_bulk_assign",
        summary=f"Assign an owner to many {plural} (queued)",
        responses=out,
        openapi_extra=body(m["assign"]),
    )
    async def bulk_assign_records(request: Request) -> Response:
        """Give many records to one owner, in the background."""
        return await run(request, "assign", ASSIGN_MESSAGE)

    @router.post(
        f"{base}_bulk_delete",
        summary=f"Delete many {plural} (queued)",
        responses=out,
        openapi_extra=body(m["selected"]),
    )
    async def bulk_delete_records(request: Request) -> Response:
        """Move many records to the recycle bin, in the background."""
        return await run(request, "delete", DELETE_MESSAGE)

    restore_message = RESTORE_MESSAGE.format(label=restoring_label)

    @router.post(
        f"{base}_bulk_restore",
        summary=f"Restore many {plural} from the bin (queued)",
        responses=out,
        openapi_extra=body(m["selected"]),
    )
    async def bulk_restore_records(request: Request) -> Response:
        """Bring many records back from the recycle bin, in the background."""
        return await run(request, "restore", restore_message)

    # The reference declares POST and its example sends PUT: both are accepted.
    @router.put(
        f"{base}_bulk_restore",
        summary=f"Restore many {plural} from the bin (queued; PUT form)",
        responses=out,
        openapi_extra=body(m["selected"]),
    )
    async def bulk_restore_records_put(request: Request) -> Response:
        """Bring many records back from the recycle bin, in the background."""
        return await run(request, "restore", restore_message)
