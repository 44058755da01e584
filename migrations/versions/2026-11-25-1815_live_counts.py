"""Count the live rows of each kind beside its data version.

Revision ID: b2c4d6e8f0a1
Revises: f10470c747b3
Create Date: 2026-11-25 18:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2c4d6e8f0a1"
down_revision: str | None = "f10470c747b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("contacts", "sales_accounts", "deals")


def upgrade() -> None:
    with op.batch_alter_table("data_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "live_count",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                server_default="0",
                nullable=False,
            )
        )
    for table in KINDS:
        op.execute(
            f"UPDATE data_versions SET live_count = (SELECT count(*) FROM {table} "
            f"WHERE {table}.workspace_id = data_versions.workspace_id "
            f"AND {table}.is_deleted = false) WHERE entity_type = '{table}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("data_versions", schema=None) as batch_op:
        batch_op.drop_column("live_count")
