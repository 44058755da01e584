"""The records of one custom module: a table per module, made and dropped at runtime.

Each module's table has the columns every record has (owner, custom fields, soft delete)
and a `name`, so the record machinery of kit/ serves its records as it serves contacts.
Its name carries the workspace and the module's entity name (`w3_cm_property`, see
kit/modules.py); Alembic leaves such tables alone (migrations/env.py), and a migration that
changes what every record table holds must change these too.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from opensales.models.base import NAMING, BigId

_DIALECTS = {
    "sqlite": sqlite.dialect(),
    "postgresql": postgresql.dialect(),  # type: ignore[no-untyped-call]
}


def records_table(name: str) -> Table:
    """The table of a module's records, in a metadata of its own (never Base.metadata)."""
    metadata = MetaData(naming_convention=NAMING)
    # Just enough of the tables its foreign keys point at for the DDL to name them.
    for target in ("workspaces", "users", "selector_options"):
        Table(target, metadata, Column("id", BigId, primary_key=True))

    def ref(target: str, ondelete: str = "SET NULL") -> ForeignKey:
        return ForeignKey(f"{target}.id", ondelete=ondelete)

    def moment(nullable: bool = True) -> Column[object]:
        return Column(DateTime(timezone=True), nullable=nullable)

    return Table(
        name,
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("workspace_id", BigId, ref("workspaces", "CASCADE"), nullable=False),
        Column("name", String(255)),
        Column("owner_id", BigId, ref("users")),
        Column("creater_id", BigId, ref("users")),
        Column("updater_id", BigId, ref("users")),
        Column("territory_id", BigId, ref("selector_options")),
        Column("custom_field", JSON, nullable=False, server_default="{}"),
        Column("is_deleted", Boolean, nullable=False, server_default="0"),
        Column("deleted_at", DateTime(timezone=True)),
        Column("last_contacted", DateTime(timezone=True)),
        Column("last_contacted_mode", String(40)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # The views' orders, live rows first (the table holds one workspace's records).
        Index(f"ix_{name}_updated_at", "is_deleted", "updated_at", "id"),
        Index(f"ix_{name}_created_at", "is_deleted", "created_at", "id"),
        Index(f"ix_{name}_name", "is_deleted", "name", "id"),
        Index(f"ix_{name}_owner", "owner_id"),
        # A forgotten record's id is never handed to a new one.
        sqlite_autoincrement=True,
    )


def create_statements(name: str, dialect: str) -> list[str]:
    """The DDL that makes the module's table and its indexes, in the dialect's SQL."""
    table = records_table(name)
    compiler = _DIALECTS[dialect]
    statements = [str(CreateTable(table).compile(dialect=compiler))]
    statements += [str(CreateIndex(i).compile(dialect=compiler)) for i in table.indexes]
    return statements
