"""The migrations build exactly the schema the models declare, on both databases."""

from alembic import command

from opensales.migrate import alembic_config


def test_models_and_migrations_agree(database_url: str) -> None:
    command.check(alembic_config(database_url))  # raises when they drift apart
