"""Search documents: one row per searchable record, kept in step with every record write
(kit/search_index.py) and matched by trigrams (an FTS5 table on SQLite, pg_trgm on
PostgreSQL; both made by the migration, see docs/search/search.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opensales.models.base import Base, BigId, flag, pk, ref, workspace_fk


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index(
            "uq_search_documents_record", "workspace_id", "entity_table", "record_id", unique=True
        ),
    )
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    # The record's table: contacts, sales_accounts, deals, or a custom module's (w3_cm_x).
    entity_table: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(BigId)
    owner_id: Mapped[int | None] = ref("users.id")
    territory_id: Mapped[int | None] = ref("selector_options.id")
    is_deleted: Mapped[bool] = flag()
    name: Mapped[str | None] = mapped_column(String(512))
    email: Mapped[str | None] = mapped_column(String(255))
    # Digits only, so that "+1 (555) 010-0123" and "15550100123" are the same number.
    phone: Mapped[str | None] = mapped_column(String(64))
    company: Mapped[str | None] = mapped_column(String(255))
    # What the trigram index matches: every searchable value, lower case, space-separated
    # and space-padded, so that a word's first letters make a trigram of their own (" jo").
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
