"""lead activity type: sales activities may hang on leads, so every workspace's list of
sales-activity target types names Lead after the three it had

Revision ID: 4f6a2c8e1b93
Revises: 88b5fcf8ccf6
Create Date: 2026-12-02 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f6a2c8e1b93"
down_revision: str | None = "88b5fcf8ccf6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "sales_activity_entity_types"


def upgrade() -> None:
    # After the workspace's last target type, in workspaces that have the list and no Lead.
    op.execute(
        sa.text(
            "INSERT INTO selector_options "
            "(workspace_id, kind, name, position, is_default, created_at, updated_at) "
            "SELECT o.workspace_id, o.kind, 'Lead', MAX(o.position) + 1, false, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM selector_options o WHERE o.kind = :kind "
            "AND NOT EXISTS (SELECT 1 FROM selector_options l WHERE l.workspace_id = o.workspace_id "
            "AND l.kind = :kind AND l.name = 'Lead') "
            "GROUP BY o.workspace_id, o.kind"
        ).bindparams(kind=KIND)
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM selector_options WHERE kind = :kind AND name = 'Lead'").bindparams(
            kind=KIND
        )
    )
