"""Wire shapes of logged phone calls: the call as Freshsales renders it (`phone_calls` is an
object, the user sideload is `user`, singular), and pydantic models for the OpenAPI document.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from opensales.db import Row
from opensales.kit import engagement
from opensales.kit.dates import format_timestamp
from opensales.note.schemas import NoteOut, TargetableOut


def _cost(value: Any) -> int | float:
    number = Decimal(str(value if value is not None else 0))
    return int(number) if number == number.to_integral_value() else float(number)


def status(incoming: bool) -> str:
    return "incoming" if incoming else "outgoing"


def render(row: Row) -> dict[str, Any]:
    incoming = bool(row["call_direction"])
    return {
        "id": row["id"],
        "call_duration": row["call_duration"],
        "call_direction": incoming,
        "recording_duration": row["recording_duration"],
        "status": status(incoming),
        "recording": None,
        "conversation_time": format_timestamp(row["conversation_time"]),
        "cost": _cost(row["cost"]),
        "is_manual": True,
        "targetable": engagement.targetable(row["target_table"], row["target_id"]),
        "phone_number_id": None,
        "phone_caller_id": None,
        "note_id": row["note_id"],
        "outcome_id": row["outcome_id"],
    }


def render_user(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "display_name": row["display_name"],
        "email": row["email"],
        "is_active": bool(row["is_active"]),
    }


# --- OpenAPI ------------------------------------------------------------------------------


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None


class CallTargetableIn(BaseModel):
    """An existing contact or account (`id`), or a new contact (no `id`: name, numbers and
    optionally its `company`, created on the fly)."""

    model_config = ConfigDict(extra="ignore")
    id: int | str | None = None
    first_name: str | None = None
    last_name: str | None = None
    work_number: str | None = None
    mobile_number: str | None = None
    email: str | None = None
    company: CompanyIn | None = None


class CallNoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    description: str


class PhoneCallFields(BaseModel):
    """Keys are read with surrounding spaces removed (`"note "` is `note`)."""

    model_config = ConfigDict(extra="ignore")
    call_direction: bool | str
    targetable_type: str | None = None
    targetable: CallTargetableIn | None = None
    targetable_id: int | str | None = None
    note: CallNoteIn | None = None
    outcome_id: int | str | None = None


class PhoneCallIn(BaseModel):
    """`{"phone_call": {...}}`, or the bare object."""

    model_config = ConfigDict(extra="ignore")
    phone_call: PhoneCallFields


class PhoneCallOut(BaseModel):
    id: int
    call_duration: int | None
    call_direction: bool
    recording_duration: int | None
    status: str
    recording: str | None
    conversation_time: str
    cost: int | float
    is_manual: bool
    targetable: TargetableOut | None
    phone_number_id: int | None
    phone_caller_id: int | None
    note_id: int | None
    outcome_id: int | None


class PartialRecord(BaseModel):
    partial: bool
    id: int


class CallUserOut(BaseModel):
    id: int
    display_name: str
    email: str
    is_active: bool


class PhoneCallEnvelope(BaseModel):
    contacts: list[PartialRecord] | None = None
    sales_accounts: list[PartialRecord] | None = None
    phone_numbers: list[dict[str, Any]]
    phone_callers: list[dict[str, Any]]
    notes: list[NoteOut]
    user: list[CallUserOut]
    targetables: list[dict[str, Any]]
    phone_calls: PhoneCallOut
