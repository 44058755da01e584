"""child accounts index: an account's child accounts (its page, include=child_sales_accounts)

Revision ID: 7dee3c365cd9
Revises: 8e3f0a6b4c21
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7dee3c365cd9"
down_revision: str | None = "8e3f0a6b4c21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_sales_accounts_parent", ["parent_sales_account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_accounts_parent")
