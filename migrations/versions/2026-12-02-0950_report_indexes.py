"""report indexes: the dashboard's deals closed per month, forecast and activities per user

Revision ID: 8e3f0a6b4c21
Revises: 5b8d1e7c2a90
Create Date: 2026-12-02 09:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8e3f0a6b4c21"
down_revision: str | None = "5b8d1e7c2a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY_TABLES = ("notes", "tasks", "appointments", "phone_calls")


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deals_closed",
            [
                "workspace_id",
                "is_deleted",
                "closed_date",
                "forecast_type",
                "base_currency_amount",
                "owner_id",
                "territory_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_deals_forecast",
            [
                "workspace_id",
                "is_deleted",
                "expected_close",
                "forecast_type",
                "base_currency_amount",
                "probability",
                "owner_id",
                "territory_id",
            ],
            unique=False,
        )
    for table in ACTIVITY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_created", ["workspace_id", "creater_id", "created_at"], unique=False
            )


def downgrade() -> None:
    for table in ACTIVITY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_created")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_forecast")
        batch_op.drop_index("ix_deals_closed")
