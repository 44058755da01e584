"""My day: the signed-in user's tasks due today and overdue, and their appointments of
today and the next 7 days, in their time zone; a task is marked done in one click.

The lists are the task and appointment services' own (`GET /api/tasks?filter=overdue`,
`due_today`, `GET /api/appointments?filter=upcoming`), and "Mark done" is the update
`PUT /api/tasks/{id}` makes with `{"status": 1}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.appointment import service as appointments
from opensales.kit import timezones
from opensales.kit.dates import utcnow
from opensales.task import service as tasks
from opensales.web.kinds import record_page_of_type
from opensales.web.render import fragment, is_htmx, page, redirect
from opensales.web.security import Me, WebContext

router = APIRouter(include_in_schema=False)

# Each list shows its first page (the API's largest), and says how many more there are.
SHOWN = "100"
UPCOMING_DAYS = 7
# targetable.type -> the key its records are sideloaded under (modules: their entity name).
SIDELOADED = {
    "contact": "contacts",
    "sales_account": "sales_accounts",
    "deal": "deals",
    "lead": "leads",
}


@dataclass(frozen=True, slots=True)
class Record:
    name: str
    href: str | None


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    title: str
    when: datetime  # in the user's time zone
    record: Record | None
    overdue: bool = False
    is_allday: bool = False

    @property
    def day(self) -> date:
        return self.when.date()


def _local(stamp: str, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(tz)


def _records(out: dict[str, Any]) -> dict[tuple[str, int], str]:
    """The names of the records a list's sideload holds, by (targetable.type, id)."""
    names: dict[tuple[str, int], str] = {}
    kinds = {v: k for k, v in SIDELOADED.items()}
    for key, rows in out.items():
        if key in ("tasks", "appointments", "meta", "users") or not isinstance(rows, list):
            continue
        for row in rows:
            names[(kinds.get(key, key), row["id"])] = row.get("display_name") or row.get("name")
    return names


def _record(item: dict[str, Any], names: dict[tuple[str, int], str]) -> Record | None:
    """The record an item hangs on, when the user may see it."""
    target = item["targetable"]
    if target is None or (target["type"], target["id"]) not in names:
        return None
    name = names[(target["type"], target["id"])] or f"#{target['id']}"
    return Record(name, record_page_of_type(target["type"], target["id"]))


async def _tasks(me: WebContext, name: str, tz: tzinfo) -> tuple[list[Item], int]:
    query = {"filter": name, "per_page": SHOWN, "include": "targetable"}
    out = await tasks.page(me.db, me.who, query)
    names = _records(out)
    items = [
        Item(t["id"], t["title"], _local(t["due_date"], tz), _record(t, names), name == "overdue")
        for t in out["tasks"]
    ]
    return items, int(out["meta"]["total"])


async def _appointments(me: WebContext, tz: tzinfo) -> list[Item]:
    """Upcoming appointments (soonest first) that start before the end of the 7th day."""
    out = await appointments.page(me.db, me.who, "upcoming", ["targetable"], 1, int(SHOWN))
    until = timezones.local_midnight(utcnow(), tz, UPCOMING_DAYS + 1)
    names = _records(out)
    return [
        Item(
            a["id"],
            a["title"],
            _local(a["from_date"], tz),
            _record(a, names),
            is_allday=a["is_allday"],
        )
        for a in out["appointments"]
        if _local(a["from_date"], tz) < until
    ]


@router.get("/my-day")
async def my_day(request: Request, me: Me) -> Response:
    """Tasks overdue and due today, and the appointments of the coming week."""
    tz = timezones.zone(me.who.time_zone)
    overdue, overdue_total = await _tasks(me, "overdue", tz)
    today, today_total = await _tasks(me, "due_today", tz)
    # Beyond the first page of either list (the rest is in the API's lists).
    more = overdue_total - len(overdue) + today_total - len(today)
    # What fell due earlier today is in both lists: it shows once, as overdue.
    late = {t.id for t in overdue}
    return page(
        request,
        me,
        "my_day/index.html",
        today=utcnow().astimezone(tz).date(),
        tasks=overdue + [t for t in today if t.id not in late],
        more_tasks=more,
        appointments=await _appointments(me, tz),
    )


@router.post("/my-day/tasks/{task_id:int}/done")
async def mark_task_done(request: Request, me: Me, task_id: int) -> Response:
    """Mark a task done; htmx swaps its row out, a plain form comes back to My day."""
    async with me.db.transaction() as tx:
        row = await tasks.update(tx, me.who, task_id, {"task": {"status": 1}})
    if not is_htmx(request):
        return redirect(request, "/my-day")
    return fragment(request, me, "my_day/done.html", title=row["title"])
