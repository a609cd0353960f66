"""A status report's risks, the decisions it needs and its next steps (empty for every existing
report).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("risks", "decisions_needed", "next_steps")


def upgrade() -> None:
    with op.batch_alter_table("status_report") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_report") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
