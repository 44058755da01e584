"""deals by stage: the pipeline board's columns, their counts and totals, from one index

Revision ID: 5b8d1e7c2a90
Revises: c71e5a0d3f42
Create Date: 2026-12-02 09:35:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b8d1e7c2a90"
down_revision: str | None = "c71e5a0d3f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deals_stage",
            ["workspace_id", "deal_stage_id", "is_deleted", "base_currency_amount", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_stage")
