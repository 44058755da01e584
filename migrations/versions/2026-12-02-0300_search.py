"""search documents, their trigram index, lookup indexes

Revision ID: 5e4a1c9d2b70
Revises: 3bfdd4b75283
Create Date: 2026-12-02 03:00:00.000000

SQLite: an FTS5 table with the trigram tokenizer over search_documents.text (external
content, kept by triggers). PostgreSQL: the pg_trgm extension and a GIN index; creating the
extension needs a role allowed to (a superuser, the database owner on PostgreSQL 13+ for this
trusted extension, or a DBA who runs `CREATE EXTENSION pg_trgm` once beforehand).
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "5e4a1c9d2b70"
down_revision: str | None = "3bfdd4b75283"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Exact lookups (GET /api/lookup) compare text without case: an index per documented field.
LOOKUP_INDEXES = (
    ("contacts", "display_name"),
    ("contacts", "mobile_number"),
    ("contacts", "work_number"),
    ("sales_accounts", "name"),
    ("deals", "name"),
)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_documents', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF text ON search_documents BEGIN "
    "INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text); END",
)
POSTGRES_TRGM = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_trgm_text ON search_documents USING gin (text gin_trgm_ops)",
)
BATCH = 5000

# The backfill's documents, as kit/search_index.py made them when this migration was written:
# a frozen copy, since a migration must run the same way whatever the application becomes.
DOCUMENT_COLUMNS = (
    "workspace_id",
    "entity_table",
    "record_id",
    "owner_id",
    "territory_id",
    "is_deleted",
    "name",
    "email",
    "phone",
    "company",
    "text",
    "updated_at",
)
_COMMON = "r.id, r.workspace_id, r.owner_id, r.territory_id, r.is_deleted, r.updated_at, r.name"
SOURCES = {
    "contacts": (
        "SELECT r.id, r.workspace_id, r.owner_id, r.territory_id, r.is_deleted, r.updated_at, "
        "r.display_name AS name, r.email, r.mobile_number AS phone, r.work_number, "
        "r.job_title, r.city, r.country, r.external_id, a.name AS company FROM contacts r "
        "LEFT JOIN contact_accounts l ON l.contact_id = r.id AND l.is_primary = true "
        "LEFT JOIN sales_accounts a ON a.id = l.sales_account_id AND a.is_deleted = false "
        "WHERE {where}"
    ),
    "sales_accounts": (
        f"SELECT {_COMMON}, r.phone, r.website, r.city, r.country FROM sales_accounts r "
        "WHERE {where}"
    ),
    "deals": (
        f"SELECT {_COMMON}, a.name AS company FROM deals r "
        "LEFT JOIN sales_accounts a ON a.id = r.sales_account_id AND a.is_deleted = false "
        "WHERE {where}"
    ),
}
EXTRA = ("job_title", "city", "country", "external_id", "website")
NOT_DIGIT = re.compile(r"\D+")


def _digits(value: Any) -> str:
    return NOT_DIGIT.sub("", value) if isinstance(value, str) else ""


def _document(table: str, row: dict[str, Any], emails: Sequence[str]) -> dict[str, Any]:
    phones = [_digits(row.get(k)) for k in ("phone", "work_number")]
    values = [row["name"], row.get("company"), row.get("email"), *emails, *phones]
    values += [row.get(k) for k in EXTRA]
    words = " ".join(str(v) for v in dict.fromkeys(values) if v not in (None, ""))
    return {
        "workspace_id": row["workspace_id"],
        "entity_table": table,
        "record_id": row["id"],
        "owner_id": row["owner_id"],
        "territory_id": row["territory_id"],
        "is_deleted": bool(row["is_deleted"]),
        "name": row["name"],
        "email": row.get("email"),
        "phone": next((p for p in phones if p), None),
        "company": row.get("company"),
        "text": " " + " ".join(words.lower().split()) + " ",
        "updated_at": row["updated_at"],
    }


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("entity_table", sa.String(length=64), nullable=False),
        sa.Column("record_id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=True),
        sa.Column("territory_id", BigId, nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("name", sa.String(length=512), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_search_documents_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["selector_options.id"],
            name=op.f("fk_search_documents_territory_id_selector_options"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_search_documents_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    op.create_index(
        "uq_search_documents_record",
        "search_documents",
        ["workspace_id", "entity_table", "record_id"],
        unique=True,
    )
    bind = op.get_bind()
    for sql in SQLITE_FTS if bind.dialect.name == "sqlite" else POSTGRES_TRGM:
        op.execute(sql)
    for table, column in LOOKUP_INDEXES:
        op.execute(
            f"CREATE INDEX ix_search_lookup_{table}_{column} ON {table} "
            f"(workspace_id, lower({column}))"
        )
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    """A document for every record there is (the same SQL and shape as every write's)."""
    tables = list(SOURCES)
    modules = bind.execute(sa.text("SELECT workspace_id, entity_name FROM custom_modules"))
    tables += [f"w{ws}_{entity}" for ws, entity in modules]
    names = ", ".join(DOCUMENT_COLUMNS)
    marks = ", ".join(":" + c for c in DOCUMENT_COLUMNS)
    insert = sa.text(f"INSERT INTO search_documents ({names}) VALUES ({marks})")
    for table in tables:
        after = 0
        source = SOURCES.get(table, f"SELECT {_COMMON} FROM {table} r WHERE {{where}}")
        while True:
            sql = sa.text(source.format(where="r.id > :after ORDER BY r.id LIMIT :batch"))
            rows = bind.execute(sql, {"after": after, "batch": BATCH}).mappings().all()
            if not rows:
                break
            emails = _emails(bind, after, rows[-1]["id"]) if table == "contacts" else {}
            docs = [_document(table, dict(r), emails.get(r["id"], [])) for r in rows]
            bind.execute(insert, docs)
            after = rows[-1]["id"]


def _emails(bind: sa.Connection, after: int, last: int) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    rows = bind.execute(
        sa.text(
            "SELECT contact_id, value FROM contact_emails WHERE contact_id > :a "
            "AND contact_id <= :b ORDER BY id"
        ),
        {"a": after, "b": last},
    )
    for contact_id, value in rows:
        found.setdefault(contact_id, []).append(value)
    return found


def downgrade() -> None:
    for table, column in LOOKUP_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS ix_search_lookup_{table}_{column}")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_documents_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("uq_search_documents_record", table_name="search_documents")
    op.drop_table("search_documents")
