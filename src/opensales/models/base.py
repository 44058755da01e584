"""Declarative base, constraint naming and the column types every table shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; INTEGER on SQLite, where only that type aliases the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


# A forgotten record's id is never handed to a new one (SQLite reuses the highest rowid
# unless the table says AUTOINCREMENT); links from elsewhere must not come to point at it.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


def pk() -> Mapped[int]:
    return mapped_column(BigId, primary_key=True, autoincrement=True)


def workspace_fk() -> Mapped[int]:
    return mapped_column(BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


def ref(target: str, *, ondelete: str = "SET NULL") -> Mapped[int | None]:
    return mapped_column(BigId, ForeignKey(target, ondelete=ondelete), nullable=True)


def flag(default: bool = False) -> Mapped[bool]:
    return mapped_column(
        Boolean, nullable=False, default=default, server_default="1" if default else "0"
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
