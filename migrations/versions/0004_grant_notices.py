"""Grant notices (Bescheide): the award and its amendments as a history of notices; every
awarded application gets the notice its stored award stands for.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=14, scale=2)
AWARDED = ("approved", "in_progress", "proof_submitted", "closed")


def upgrade() -> None:
    op.create_table(
        "grant_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("amount_approved", MONEY, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reference_number", sa.String(length=60), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["funding_application.id"],
            name=op.f("fk_grant_notice_application_id_funding_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_notice")),
    )
    with op.batch_alter_table("grant_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_grant_notice_application_id"), ["application_id"], unique=False
        )

    # The award stored on an application so far is its first notice: a Teilbewilligung where
    # less than requested was approved, else a Zuwendungsbescheid.
    statuses = ", ".join(f"'{s}'" for s in AWARDED)
    op.execute(
        "INSERT INTO grant_notice (application_id, kind, dated_on, amount_approved, "
        "period_start, period_end, reference_number, version, created_at, updated_at) "
        "SELECT id, CASE WHEN amount_requested IS NOT NULL AND amount_approved < amount_requested "
        "THEN 'partial_award' ELSE 'award' END, decision_on, amount_approved, period_start, "
        "period_end, reference_number, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
        f"FROM funding_application WHERE status IN ({statuses}) "
        "AND decision_on IS NOT NULL AND amount_approved IS NOT NULL ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table("grant_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_notice_application_id"))

    op.drop_table("grant_notice")
