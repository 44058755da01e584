"""Background jobs, marketing lists and the activity timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import NEVER_REUSE_IDS, Base, BigId, Timestamps, pk, ref, workspace_fk


class Job(Base):
    """A background job (bulk upsert, list move): its request, where it got to, its outcome.

    `next_item` advances in the same transaction that applies an item, so a job resumed
    after a crash starts at the first item not applied and applies none twice.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_pending", "status", "id"),
        Index("ix_jobs_workspace", "workspace_id", "status"),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    user_id: Mapped[int | None] = ref("users.id", ondelete="SET NULL")
    job_type: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    total_items: Mapped[int] = mapped_column(Integer, server_default="0")
    next_item: Mapped[int] = mapped_column(Integer, server_default="0")
    succeeded: Mapped[int] = mapped_column(Integer, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, server_default="0")
    failures: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    status_updated_at: Mapped[datetime]


class MarketingList(Timestamps, Base):
    __tablename__ = "marketing_lists"
    __table_args__ = (UniqueConstraint("workspace_id", "name"), NEVER_REUSE_IDS)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    name: Mapped[str] = mapped_column(String(255))


class ListMember(Base):
    __tablename__ = "list_members"
    __table_args__ = (
        UniqueConstraint("list_id", "contact_id"),
        Index("ix_list_members_contact", "contact_id"),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    list_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("marketing_lists.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    created_at: Mapped[datetime]


class Activity(Base):
    """One entry of a record's timeline: an audit trail, appended to and never rewritten."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_target", "entity_type", "entity_id", "id"),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigId)
    action_type: Mapped[str] = mapped_column(String(40))
    action_data: Mapped[dict[str, Any]]
    user_id: Mapped[int | None] = ref("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime]
