"""Tenancy, people and per-workspace configuration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, func
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


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        Index("uq_workspaces_tracking_key", "tracking_key", unique=True),
        NEVER_REUSE_IDS,
    )
    id: Mapped[int] = pk()
    name: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The secret that signs this workspace's file download links; made on first use.
    signing_key: Mapped[str | None] = mapped_column(String(64))
    # The key websites send with visitor tracking (tracking/service.py); public by design.
    tracking_key: Mapped[str | None] = mapped_column(String(64))
    # Freshsales Classic's leads; a workspace without them lists no lead views (docs/leads.md).
    leads_enabled: Mapped[bool] = flag(True)


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "email"), NEVER_REUSE_IDS)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    email: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    territory_id: Mapped[int | None] = ref("selector_options.id")
    is_active: Mapped[bool] = flag(True)
    time_zone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    mobile_number: Mapped[str | None] = mapped_column(String(64))
    # Web sign-in: wrong passwords in a row, and until when the account refuses them.
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its digest."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Every form and htmx request of this session carries it (web/security.py).
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]


class SelectorOption(Timestamps, Base):
    """One row of a configuration list: territories, stages, currencies, reasons and so on."""

    __tablename__ = "selector_options"
    __table_args__ = (Index("ix_selector_options_lookup", "workspace_id", "kind", "position"),)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    parent_id: Mapped[int | None] = ref("selector_options.id", ondelete="CASCADE")
    probability: Mapped[int | None]
    forecast_type: Mapped[str | None] = mapped_column(String(10))
    code: Mapped[str | None] = mapped_column(String(10))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(19, 6))
    is_default: Mapped[bool] = flag()


class FieldDefinition(Timestamps, Base):
    """A field of a kind of record, default or custom, as /api/settings/.../fields shows it."""

    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("workspace_id", "entity_type", "name"),)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    entity_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(30))
    is_default: Mapped[bool] = flag(True)
    actionable: Mapped[bool] = flag()
    required: Mapped[bool] = flag()
    is_unique: Mapped[bool] = flag()
    position: Mapped[int] = mapped_column(Integer)
    field_group: Mapped[str | None] = mapped_column(String(100))
    choices_kind: Mapped[str | None] = mapped_column(String(40))
    choices: Mapped[dict[str, Any] | None]
    # The field's id in the forms API (a UUID), beside the number the fields API shows.
    uid: Mapped[str | None] = mapped_column(String(36), unique=True)
    hint: Mapped[str | None] = mapped_column(Text)
    editable: Mapped[bool] = flag(True)
    visible: Mapped[bool] = flag(True)
    # Per type: a lookup's `lookup_type`, a number's `locale`, ...
    field_options: Mapped[dict[str, Any] | None]


class View(Timestamps, Base):
    """A saved view (filter). `number` is its id in the API, counted per kind of record."""

    __tablename__ = "views"
    __table_args__ = (UniqueConstraint("workspace_id", "entity_type", "number"),)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    entity_type: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = flag()
    is_public: Mapped[bool] = flag(True)
    user_id: Mapped[int | None] = ref("users.id", ondelete="CASCADE")
    conditions: Mapped[dict[str, Any]]
    sort_field: Mapped[str] = mapped_column(String(100))
    sort_type: Mapped[str] = mapped_column(String(4))


class RateLimitWindow(Base):
    """Requests counted per workspace and hour, shared by every server process."""

    __tablename__ = "rate_limit_windows"
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[int] = mapped_column(BigId, primary_key=True)
    count: Mapped[int] = mapped_column(BigId, server_default="0")


class DataVersion(Base):
    """Bumped by every write to a kind of record; cached page cursors and totals key on it."""

    __tablename__ = "data_versions"
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigId, server_default="0")
    # Live (not deleted) rows of the kind: a view without conditions counts nothing.
    live_count: Mapped[int] = mapped_column(BigId, server_default="0")


class CustomModule(Timestamps, Base):
    """A kind of record an admin defines (`/api/settings/module_customizations`). Its records
    live in a table of their own, made when the module is (models/custom_records.py)."""

    __tablename__ = "custom_modules"
    __table_args__ = (UniqueConstraint("workspace_id", "entity_name"), NEVER_REUSE_IDS)
    id: Mapped[int] = pk()
    workspace_id: Mapped[int] = workspace_fk()
    # Counted per workspace: the N of "CustomModuleN", as field_class and views name it.
    number: Mapped[int] = mapped_column(Integer)
    entity_name: Mapped[str] = mapped_column(String(40))
    singular_name: Mapped[str] = mapped_column(String(255))
    plural_name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    show_in_navigation_menu: Mapped[bool] = flag(True)
    status: Mapped[int] = mapped_column(Integer, server_default="1")
