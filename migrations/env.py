"""Alembic environment: batch mode so that SQLite can ALTER, the same scripts on PostgreSQL."""

import warnings

from alembic import context
from sqlalchemy import create_engine, pool

from opensales.kit.field_indexes import PREFIX as CUSTOM_FIELD_INDEX
from opensales.kit.modules import is_runtime_table
from opensales.models import Base

config = context.config
# Made by the search migration outside the models: SQLite's FTS5 table (and its shadow
# tables), PostgreSQL's trigram index and the lookup expression indexes.
SEARCH_TABLES = "search_fts"
SEARCH_INDEXES = "ix_search_"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Custom modules' record tables are made at runtime, not by migrations: not even read;
    nor is the search's FTS5 table, which no model describes."""
    if type_ == "table" and name is not None:
        return not (is_runtime_table(name) or name.startswith(SEARCH_TABLES))
    return True


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Custom fields' indexes are made at runtime too (kit/field_indexes.py): left alone."""
    if (
        type_ == "index"
        and reflected
        and (name or "").startswith((CUSTOM_FIELD_INDEX, SEARCH_INDEXES))
    ):
        return False
    table = getattr(obj, "table", obj) if type_ != "table" else obj
    table_name = getattr(table, "name", name) or ""
    return not (reflected and is_runtime_table(table_name))


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by the caller"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
            include_object=include_object,
        )
        with context.begin_transaction(), warnings.catch_warnings():
            # SQLAlchemy cannot read SQLite's expression indexes back, custom fields' included.
            for prefix in (CUSTOM_FIELD_INDEX, SEARCH_INDEXES):
                warnings.filterwarnings(
                    "ignore", f"Skipped unsupported reflection of expression-based index {prefix}"
                )
            context.run_migrations()
    engine.dispose()


run()
