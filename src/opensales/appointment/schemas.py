"""Wire shapes of appointments: how rows render, and the pydantic models of the OpenAPI
document (handlers read bodies leniently; these describe them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.appointment import repository
from opensales.db import Conn, Row
from opensales.kit import engagement
from opensales.kit.dates import format_timestamp
from opensales.kit.principal import Principal
from opensales.kit.sideload import Include
from opensales.kit.views import Meta
from opensales.note.schemas import NoteOut

# --- rendering ----------------------------------------------------------------------------


def render(row: Row, attendees: Sequence[Row]) -> dict[str, Any]:
    """One appointment, every key present (nulls included)."""
    table, target_id = row["target_table"], row["target_id"]
    return {
        "id": row["id"],
        "time_zone": row["time_zone"],
        "title": row["title"],
        "description": row["description"],
        "location": row["location"],
        "from_date": format_timestamp(row["from_date"]),
        "end_date": format_timestamp(row["end_date"]),
        "is_allday": bool(row["is_allday"]),
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "checkedin_at": format_timestamp(row["checkedin_at"]),
        "outcome_id": row["outcome_id"],
        "creater_id": row["creater_id"],
        "updater_id": row["updater_id"],
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
        "appointment_attendee_ids": [a["id"] for a in attendees],
        "targetable_id": target_id if table is not None else None,
        "targetable_type": engagement.targetable_type(table),
        "targetable": engagement.targetable(table, target_id),
    }


def render_attendee(row: Row) -> dict[str, Any]:
    kind = repository.ATTENDEE_KINDS[row["attendee_table"]]
    return {"id": row["id"], "attendee": {"type": kind, "id": row["attendee_id"]}}


def render_contact(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "display_name": row["display_name"], "avatar": None, "type": "Contact"}


def include(record_table: str) -> Include:
    """`include=appointments` on a contact, account, deal or module record: the appointments
    on it, in the order they take place."""
    rows_of = engagement.attached("appointments", "appointments", record_table, dict, "from_date")

    async def load(conn: Conn, who: Principal, records: Sequence[Row]) -> list[dict[str, Any]]:
        assert rows_of.load is not None
        found = await rows_of.load(conn, who, records)
        attendees = await repository.attendees_of(conn, [a["id"] for a in found])
        return [render(a, attendees.get(a["id"], [])) for a in found]

    return Include("appointments", load=load)


# --- OpenAPI: requests --------------------------------------------------------------------


class AppointmentAttendeeIn(BaseModel):
    """Add a user (`FdMultitenant::User` or `User`) or a contact; `_destroy: true` with the
    attendee's `id` (or its type and id) removes one."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    id: int | str | None = None
    attendee_type: str | None = None
    attendee_id: int | str | None = None
    destroy: bool | str | None = Field(None, alias="_destroy")


class AppointmentIn(BaseModel):
    """title, from_date and end_date are required on create; dates take every accepted
    form, JavaScript `Date.toString()` included; with `is_allday`, plain dates."""

    model_config = ConfigDict(extra="ignore")
    title: str | None = None
    description: str | None = None
    from_date: str | None = None
    end_date: str | None = None
    is_allday: bool | str | None = None
    time_zone: str | None = None
    location: str | None = None
    targetable_type: str | None = None
    targetable_id: int | str | None = None
    appointment_attendees_attributes: list[AppointmentAttendeeIn] | None = None
    outcome_id: int | str | None = None
    latitude: str | float | None = None
    longitude: str | float | None = None
    checkedin_at: str | None = None


class AppointmentRequest(BaseModel):
    """The root key is optional: the bare appointment is accepted too."""

    appointment: AppointmentIn | None = None


# --- OpenAPI: responses -------------------------------------------------------------------


class AppointmentTargetable(BaseModel):
    type: str
    id: int


class AppointmentOut(BaseModel):
    id: int
    time_zone: str | None
    title: str
    description: str | None
    location: str | None
    from_date: str
    end_date: str
    is_allday: bool
    latitude: str | None
    longitude: str | None
    checkedin_at: str | None
    outcome_id: int | None
    creater_id: int | None
    updater_id: int | None
    created_at: str
    updated_at: str
    appointment_attendee_ids: list[int]
    targetable_id: int | None
    targetable_type: str | None
    targetable: AppointmentTargetable | None


class AppointmentAttendeeRef(BaseModel):
    type: str
    id: int


class AppointmentAttendeeOut(BaseModel):
    id: int
    attendee: AppointmentAttendeeRef


class AppointmentUser(BaseModel):
    id: int
    display_name: str
    email: str
    avatar: str | None
    type: str


class AppointmentContact(BaseModel):
    id: int
    display_name: str | None
    avatar: str | None


class AppointmentEnvelope(BaseModel):
    """The appointment with its attendees, the users and contacts among them (and the
    contact it is on), and its notes."""

    appointment_attendees: list[AppointmentAttendeeOut]
    users: list[AppointmentUser]
    contacts: list[AppointmentContact]
    notes: list[NoteOut]
    appointment: AppointmentOut


class AppointmentList(BaseModel):
    """Sideloads appear with their `include=` handle: `users` (creater), `contacts`,
    `sales_accounts` and `deals` (targetable), `appointment_attendees`."""

    appointments: list[AppointmentOut]
    meta: Meta
    users: list[AppointmentUser] | None = None
    contacts: list[AppointmentContact] | None = None
    sales_accounts: list[dict[str, Any]] | None = None
    deals: list[dict[str, Any]] | None = None
    appointment_attendees: list[AppointmentAttendeeOut] | None = None


class AppointmentDeleted(BaseModel):
    success: str
