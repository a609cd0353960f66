"""Programme rules as data: cap scope, implementation sub-cap, own-share exclusion, payment
window, council resolution; declared alternative applications, implementation measures, early
start consent and the window need of a payment request.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    with op.batch_alter_table("funding_programme") as batch_op:
        batch_op.add_column(
            sa.Column("cap_scope", sa.String(length=32), server_default="project", nullable=False)
        )
        batch_op.add_column(sa.Column("own_share_excluded_level", sa.String(length=32)))
        batch_op.add_column(sa.Column("payment_window", sa.String(length=32)))
    with op.batch_alter_table("programme_phase") as batch_op:
        batch_op.add_column(sa.Column("implementation_cap", MONEY))
        batch_op.add_column(
            sa.Column(
                "requires_council_resolution",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
    with op.batch_alter_table("funding_application") as batch_op:
        batch_op.add_column(
            sa.Column(
                "implementation_measure", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("alternative_to_id", sa.Integer()))
        batch_op.add_column(sa.Column("early_start_consent_on", sa.Date()))
        batch_op.create_index(
            batch_op.f("ix_funding_application_alternative_to_id"), ["alternative_to_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_funding_application_alternative_to_id_funding_application"),
            "funding_application",
            ["alternative_to_id"],
            ["id"],
        )
    with op.batch_alter_table("payment_request") as batch_op:
        batch_op.add_column(sa.Column("window_need", MONEY))
    with op.batch_alter_table("project") as batch_op:
        batch_op.add_column(sa.Column("council_resolution_on", sa.Date()))

    # The seeded programmes carry their rules (README, "Funding rules"): MPSC is one grant of the
    # city for all its measures (caps per city), phase A allows €1 M for first implementation
    # measures, phase B needs a council resolution, federal money may not replace its own share;
    # payment windows after the ANBest that apply to a municipality.
    op.execute(
        "UPDATE funding_programme SET cap_scope = 'city', own_share_excluded_level = 'federal', "
        "payment_window = '2m' WHERE key = 'MPSC'"
    )
    op.execute(
        "UPDATE programme_phase SET implementation_cap = 1000000 WHERE key = 'A' AND "
        "programme_id IN (SELECT id FROM funding_programme WHERE key = 'MPSC')"
    )
    op.execute(
        "UPDATE programme_phase SET requires_council_resolution = true WHERE key = 'B' AND "
        "programme_id IN (SELECT id FROM funding_programme WHERE key = 'MPSC')"
    )
    op.execute(
        "UPDATE funding_programme SET payment_window = '2m' "
        "WHERE key IN ('EFRE', 'GIGA-BUND', 'GIGA-NRW', 'NRW-DIGI')"
    )
    op.execute("UPDATE funding_programme SET payment_window = '6w' WHERE key = 'MFUND'")


def downgrade() -> None:
    with op.batch_alter_table("project") as batch_op:
        batch_op.drop_column("council_resolution_on")
    with op.batch_alter_table("payment_request") as batch_op:
        batch_op.drop_column("window_need")
    with op.batch_alter_table("funding_application") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_funding_application_alternative_to_id_funding_application"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_funding_application_alternative_to_id"))
        batch_op.drop_column("early_start_consent_on")
        batch_op.drop_column("alternative_to_id")
        batch_op.drop_column("implementation_measure")
    with op.batch_alter_table("programme_phase") as batch_op:
        batch_op.drop_column("requires_council_resolution")
        batch_op.drop_column("implementation_cap")
    with op.batch_alter_table("funding_programme") as batch_op:
        batch_op.drop_column("payment_window")
        batch_op.drop_column("own_share_excluded_level")
        batch_op.drop_column("cap_scope")
