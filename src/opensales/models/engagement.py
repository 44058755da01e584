"""What sales people do with records: notes, tasks, appointments, sales activities, phone
calls and files, each attached to one record (its "targetable").

`target_table` names the record's table (contacts, sales_accounts, deals, products) and
`target_id` its id; `target_deleted` mirrors the record's soft delete, so that lists leave
out what hangs on a record in the recycle bin without joining every record table.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import (
    NEVER_REUSE_IDS,
    Base,
    BigId,
    Timestamps,
    flag,
    pk,
    ref,
    workspace_fk,
)


def _target_index(table: str) -> Index:
    return Index(f"ix_{table}_target", "target_table", "target_id", "id")


def _created_index(table: str) -> Index:
    """What each user made lately (the dashboard's activities by user)."""
    return Index(f"ix_{table}_created", "workspace_id", "creater_id", "created_at")


class Attached(Timestamps):
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    target_table: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(BigId)
    target_deleted: Mapped[bool] = flag()
    creater_id: Mapped[int | None] = ref("users.id")
    updater_id: Mapped[int | None] = ref("users.id")


class Note(Attached, Base):
    __tablename__ = "notes"
    __table_args__ = (_target_index("notes"), _created_index("notes"), NEVER_REUSE_IDS)
    description: Mapped[str] = mapped_column(Text)


class Task(Attached, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        _target_index("tasks"),
        # The task lists: one user's tasks of one status, by due date.
        Index("ix_tasks_owner_due", "workspace_id", "owner_id", "status", "due_date", "id"),
        Index(
            "ix_tasks_owner_completed", "workspace_id", "owner_id", "status", "completed_date", "id"
        ),
        _created_index("tasks"),
        NEVER_REUSE_IDS,
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[datetime]
    status: Mapped[int] = mapped_column(Integer, server_default="0")
    completed_date: Mapped[datetime | None]
    owner_id: Mapped[int | None] = ref("users.id")
    task_type_id: Mapped[int | None] = ref("selector_options.id")
    outcome_id: Mapped[int | None] = ref("selector_options.id")


class TaskUser(Base):
    """A collaborator on a task (besides its owner)."""

    __tablename__ = "task_users"
    __table_args__ = (
        UniqueConstraint("task_id", "user_id"),
        Index("ix_task_users_user", "user_id", "task_id"),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


class Appointment(Attached, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        _target_index("appointments"),
        Index("ix_appointments_creater_end", "workspace_id", "creater_id", "end_date", "id"),
        _created_index("appointments"),
        NEVER_REUSE_IDS,
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    from_date: Mapped[datetime]
    end_date: Mapped[datetime]
    is_allday: Mapped[bool] = flag()
    time_zone: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[str | None] = mapped_column(String(32))
    longitude: Mapped[str | None] = mapped_column(String(32))
    checkedin_at: Mapped[datetime | None]
    outcome_id: Mapped[int | None] = ref("selector_options.id")


class AppointmentAttendee(Base):
    """A user or a contact invited to an appointment (`attendee_table`: users or contacts)."""

    __tablename__ = "appointment_attendees"
    __table_args__ = (
        UniqueConstraint("appointment_id", "attendee_table", "attendee_id"),
        Index("ix_appointment_attendees_attendee", "attendee_table", "attendee_id"),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    appointment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False
    )
    attendee_table: Mapped[str] = mapped_column(String(20))
    attendee_id: Mapped[int] = mapped_column(BigId)


class SalesActivity(Attached, Base):
    __tablename__ = "sales_activities"
    __table_args__ = (
        _target_index("sales_activities"),
        Index("ix_sales_activities_listing", "workspace_id", "target_deleted", "id"),
        NEVER_REUSE_IDS,
    )
    title: Mapped[str] = mapped_column(String(255))
    sales_activity_type_id: Mapped[int | None] = ref("selector_options.id")
    sales_activity_outcome_id: Mapped[int | None] = ref("selector_options.id")
    start_date: Mapped[datetime]
    end_date: Mapped[datetime]
    notes: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = ref("users.id")
    location: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[str | None] = mapped_column(String(32))
    longitude: Mapped[str | None] = mapped_column(String(32))
    checkedin_at: Mapped[datetime | None]
    checkedout_at: Mapped[datetime | None]
    checkedout_location: Mapped[str | None] = mapped_column(Text)
    status: Mapped[bool] = flag()
    completed_date: Mapped[datetime | None]
    custom_field: Mapped[dict[str, Any]] = mapped_column(server_default="{}")


class PhoneCall(Attached, Base):
    """A call logged by hand (`is_manual`); the note taken during it, if any, is a Note."""

    __tablename__ = "phone_calls"
    __table_args__ = (
        _target_index("phone_calls"),
        _created_index("phone_calls"),
        NEVER_REUSE_IDS,
    )
    call_direction: Mapped[bool] = flag()
    outcome_id: Mapped[int | None] = ref("selector_options.id")
    note_id: Mapped[int | None] = ref("notes.id")
    call_duration: Mapped[int | None]
    recording_duration: Mapped[int | None]
    cost: Mapped[Decimal] = mapped_column(Numeric(12, 4), server_default="0")
    conversation_time: Mapped[datetime]


class StoredFile(Attached, Base):
    """A file uploaded to a record (its bytes live in the storage backend under
    `storage_key`), or a link to a document elsewhere (`link_url`, no stored bytes)."""

    __tablename__ = "files"
    __table_args__ = (_target_index("files"), NEVER_REUSE_IDS)
    name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str | None] = mapped_column(String(512))
    link_url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    is_shared: Mapped[bool] = flag()
