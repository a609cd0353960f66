"""Saved views: a user's named register views (filters, sort, columns as the page's URL query).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("page", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint("owner", "page", "name", name=op.f("uq_saved_view_owner_page_name")),
    )
    op.create_index(op.f("ix_saved_view_owner"), "saved_view", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_view_owner"), table_name="saved_view")
    op.drop_table("saved_view")
