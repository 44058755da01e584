"""Alembic environment: batch mode so that SQLite can ALTER, the same scripts on PostgreSQL."""

from alembic import context
from sqlalchemy import create_engine, pool

from opensales.kit.modules import is_runtime_table
from opensales.models import Base

config = context.config


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Custom modules' record tables are made at runtime, not by migrations: left alone."""
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
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
