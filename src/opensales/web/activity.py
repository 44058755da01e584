"""A record's activity area: the composer (note, task, appointment, call), its open tasks and
upcoming appointments, its files, and its timeline.

Every record page holds `<section id="activity" hx-get="{base}/{id}/activity">`; the routes
here serve that fragment and the forms inside it, for contacts, accounts, deals and custom
modules' records alike. Each write goes through the same service as the API, with the
record as its `targetable`, and answers the area re-rendered.

Times are shown, and read from the forms' date-time fields, in the user's time zone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from opensales.appointment import service as appointment_service
from opensales.errors import NotFoundError, ValidationError
from opensales.file import service as file_service
from opensales.file import upload
from opensales.file.schemas import readable_size
from opensales.kit import engagement, jobs, storage, timezones
from opensales.note import service as note_service
from opensales.phone_call import service as call_service
from opensales.selector.service import list_options
from opensales.task import service as task_service
from opensales.web import timeline_entries
from opensales.web.kinds import SECTIONS, Section, module_section, section
from opensales.web.render import fragment
from opensales.web.security import Me, WebContext
from opensales.web.timeline_entries import shown

router = APIRouter(include_in_schema=False)

TIMELINE_PAGE = 20
SOON = 5  # open tasks and upcoming appointments shown
FILES_SHOWN = 50
OPTIONS = 100  # owners and activity types offered in the forms
BASES = (*(s.base for s in SECTIONS.values()), "/modules/{entity_name}")


@dataclass(frozen=True, slots=True)
class Record:
    """The record whose activity area a request is about (the user may see it)."""

    section: Section
    id: int
    name: str

    @property
    def ref(self) -> engagement.Ref:
        return self.section.table, self.id

    @property
    def url(self) -> str:
        return f"{self.section.base}/{self.id}/activity"

    @property
    def targetable(self) -> dict[str, Any]:
        return {"targetable_type": self.section.targetable_type, "targetable_id": self.id}

    @property
    def takes_calls(self) -> bool:
        return self.section.table in call_service.TARGETS


async def record_here(request: Request, me: Me, record_id: int) -> Record:
    """The record named by the path (`/deals/7/...`, `/modules/cm_x/7/...`); else 404."""
    entity = request.path_params.get("entity_name")
    if entity is not None:
        found = await module_section(me.db, me.who, entity)
    else:
        found = section(request.url.path.split("/")[1])
    row = await found.service.find(me.db, me.who, record_id)
    name = row.get("display_name") or row.get("name") or f"{found.singular} {record_id}"
    return Record(found, row["id"], str(name))


Here = Annotated[Record, Depends(record_here)]
Handler = Callable[..., Awaitable[HTMLResponse]]


def activity_route(method: str, suffix: str = "") -> Callable[[Handler], Handler]:
    """Serve a handler under the activity path of every kind of record."""

    def register(handler: Handler) -> Handler:
        for base in BASES:
            path = f"{base}/{{record_id:int}}/activity{suffix}"
            router.add_api_route(path, handler, methods=[method])
        return handler

    return register


# --- reading ------------------------------------------------------------------------------


def zone_of(me: WebContext) -> tzinfo:
    return timezones.zone(me.who.time_zone)


def instant(raw: Any, tz: tzinfo) -> Any:
    """A form's `2026-12-03T10:00` (the user's wall time) as an ISO time with its offset;
    anything else goes to the service as sent, for its own error."""
    if not isinstance(raw, str) or not raw.strip():
        return raw
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw
    return (value if value.tzinfo else value.replace(tzinfo=tz)).isoformat()


async def choices(me: WebContext) -> dict[str, Any]:
    """What the forms offer: owners, task types, and the Call type's outcomes."""
    owners = (await list_options(me.db, me.who, "owners", 1, OPTIONS))["users"]
    types = (await list_options(me.db, me.who, "sales_activity_types", 1, OPTIONS))[
        "sales_activity_types"
    ]
    calls = [t for t in types if t["name"].strip().lower() in call_service.CALL_TYPES]
    outcomes = calls[0]["sales_activity_outcomes"] if calls else []
    return {"owners": owners, "task_types": types, "call_outcomes": outcomes}


async def timeline_page(me: WebContext, record: Record, number: int) -> dict[str, Any]:
    """One page of the record's timeline as readable entries, and the next page's number."""
    query = {"include": "users", "limit": str(TIMELINE_PAGE), "page": str(number)}
    out = await record.section.service.activities(me.db, me.who, record.id, query)
    entries = await timeline_entries.describe(
        me.db, me.who, out["activities"], out.get("users") or [], zone_of(me)
    )
    more = number * TIMELINE_PAGE < out["meta"]["total"]
    return {"entries": entries, "next_page": number + 1 if more else None}


async def files_of(request: Request, me: WebContext, record: Record) -> dict[str, Any]:
    settings = request.app.state.settings
    return await file_service.associations(
        me.db,
        me.who,
        record.section.table,
        record.id,
        1,
        FILES_SHOWN,
        str(request.base_url),
        settings.download_url_seconds,
        record.section.singular,
    )


async def area(
    request: Request, me: WebContext, record: Record, used: str | None = None
) -> HTMLResponse:
    """The whole activity area of the record. After a write, the composer's form just `used`
    is open again and has the focus, ready for the next."""
    tz = zone_of(me)
    tasks = await task_service.open_on_record(me.db, me.who, record.ref, SOON)
    meetings = await appointment_service.upcoming_on_record(me.db, me.who, record.ref, SOON)
    return fragment(
        request,
        me,
        "activity/area.html",
        record=record,
        opened=used or "note",
        focus=used,
        tasks=[{**t, "due": shown(t["due_date"], tz)} for t in tasks],
        appointments=[
            {**a, "start": shown(a["from_date"], tz), "end": shown(a["end_date"], tz)}
            for a in meetings
        ],
        files=await files_of(request, me, record),
        max_upload=readable_size(request.app.state.settings.max_upload_bytes),
        shown=lambda value: shown(value, tz),
        **await choices(me),
        **await timeline_page(me, record, 1),
    )


@activity_route("GET")
async def activity_area(request: Request, me: Me, record: Here) -> HTMLResponse:
    """The record's activity area (loaded into its page's #activity section)."""
    return await area(request, me, record)


@activity_route("GET", "/timeline")
async def more_timeline(request: Request, me: Me, record: Here, page: int = 2) -> HTMLResponse:
    """The next entries of the timeline ("Show more")."""
    found = await timeline_page(me, record, max(1, min(page, 10**6)))
    return fragment(request, me, "activity/entries.html", record=record, **found)


# --- the composer -------------------------------------------------------------------------


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value.strip() else None


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields filled in (a blank select is no choice at all)."""
    return {k: v for k, v in values.items() if v is not None}


@activity_route("POST", "/notes")
async def add_note(request: Request, me: Me, record: Here) -> HTMLResponse:
    """Write a note on the record."""
    form = await request.form()
    body = {"description": form.get("description"), **record.targetable}
    async with me.db.transaction() as tx:
        await note_service.create(tx, me.who, {"note": body})
    return await area(request, me, record, "note")


@activity_route("POST", "/tasks")
async def add_task(request: Request, me: Me, record: Here) -> HTMLResponse:
    """Add a task on the record."""
    form = await request.form()
    body = present(
        {
            "title": form.get("title"),
            "due_date": instant(form.get("due_date"), zone_of(me)),
            "owner_id": text(form, "owner_id"),
            "task_type_id": text(form, "task_type_id"),
            "description": text(form, "description"),
        }
    )
    async with me.db.transaction() as tx:
        await task_service.create(tx, me.who, {"task": {**body, **record.targetable}})
    return await area(request, me, record, "task")


@activity_route("POST", "/tasks/{task_id:int}/done")
async def complete_task(request: Request, me: Me, record: Here, task_id: int) -> HTMLResponse:
    """Mark one of the record's tasks done."""
    async with me.db.transaction() as tx:
        task = await task_service.find(tx, me.who, task_id)
        if (task["target_table"], task["target_id"]) != record.ref:
            raise NotFoundError("Task not found")
        await task_service.update(tx, me.who, task_id, {"task": {"status": 1}})
    return await area(request, me, record)


@activity_route("POST", "/appointments")
async def add_appointment(request: Request, me: Me, record: Here) -> HTMLResponse:
    """Schedule an appointment on the record."""
    form = await request.form()
    tz = zone_of(me)
    body = present(
        {
            "title": form.get("title"),
            "from_date": instant(form.get("from_date"), tz),
            "end_date": instant(form.get("end_date"), tz),
            "location": text(form, "location"),
            "time_zone": me.who.time_zone,
        }
    )
    async with me.db.transaction() as tx:
        await appointment_service.create(tx, me.who, {"appointment": {**body, **record.targetable}})
    return await area(request, me, record, "appointment")


@activity_route("POST", "/calls")
async def log_call(request: Request, me: Me, record: Here) -> HTMLResponse:
    """Log a call with the record (contacts and accounts, as the phone call API takes)."""
    form = await request.form()
    notes = text(form, "note")
    body = present(
        {
            "call_direction": form.get("direction") == "incoming",
            "outcome_id": text(form, "outcome_id"),
            "note": {"description": notes} if notes else None,
            "targetable_type": record.section.targetable_type,
            "targetable": {"id": record.id},
        }
    )
    async with me.db.transaction() as tx:
        await call_service.create(tx, me.who, {"phone_call": body})
    return await area(request, me, record, "call")


# --- files --------------------------------------------------------------------------------


@activity_route("POST", "/files")
async def upload_file(request: Request, me: Me, record: Here) -> HTMLResponse:
    """Upload a file to the record (multipart, through the file service and storage)."""
    settings = request.app.state.settings
    store = storage.of(settings)
    form = await upload.read_form(request, limit=settings.max_upload_bytes, spool=store.spool_dir)
    try:
        if form.file is None:
            raise ValidationError("Invalid value for file: choose a file to upload")
        form.fields.update(record.targetable)
        await file_service.store_upload(me.db, me.who, form, store)
    finally:
        with anyio.CancelScope(shield=True):
            await form.discard()
    return await area(request, me, record)


@activity_route("DELETE", "/files/{file_id:int}")
async def delete_file(request: Request, me: Me, record: Here, file_id: int) -> HTMLResponse:
    """Delete one of the record's files (its bytes leave storage in the background)."""
    locator = storage.locator_of(request.app.state.settings)
    async with me.db.transaction() as tx:
        found = await engagement.find(tx, me.who, file_service.TABLE, "File", file_id)
        if (found["target_table"], found["target_id"]) != record.ref:
            raise NotFoundError("File not found")
        await file_service.delete(tx, me.who, file_id, locator)
    jobs.wake(me.db)
    return await area(request, me, record)
