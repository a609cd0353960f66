"""Funding programmes say from when the proof-of-use deadline counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("funding_programme") as batch_op:
        batch_op.add_column(
            sa.Column(
                "proof_of_use_basis", sa.String(length=32), server_default="end", nullable=False
            )
        )
    # MPSC counts its deadlines from the commitment (KfW Merkblatt, form 600 000 4466).
    op.execute("UPDATE funding_programme SET proof_of_use_basis = 'award' WHERE key = 'MPSC'")


def downgrade() -> None:
    with op.batch_alter_table("funding_programme") as batch_op:
        batch_op.drop_column("proof_of_use_basis")
