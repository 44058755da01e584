"""What `opensales sync` has copied: one row per source record, so that a rerun resumes
where the last run stopped and updates only what changed at the source."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import Base, BigId, Timestamps, pk, workspace_fk


class SyncLink(Timestamps, Base):
    __tablename__ = "sync_links"
    __table_args__ = (
        Index(
            "uq_sync_links_source_id", "workspace_id", "source", "kind", "source_id", unique=True
        ),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    # The source account: its base URL, lower case, without a trailing slash.
    source: Mapped[str] = mapped_column(String(255))
    # What was copied: contacts, deals, an option kind (deal_stages), cm_<module>, ...
    kind: Mapped[str] = mapped_column(String(64))
    # Source ids are text: Freshsales ids outgrow 32 bits, option "ids" may be names.
    source_id: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[int] = mapped_column(BigId)
    # The source's `updated_at` when last copied: a rerun skips records that still match.
    source_updated_at: Mapped[str | None] = mapped_column(String(64))
