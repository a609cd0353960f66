"""The grant's life cycle: refunds (Rückforderungen) with interest at the programme's points
above the base rate, proofs of use with their states (interim proofs, factual report, final
proof), cost plans by cost type, budget years (Jahresscheiben); the programmes' rules for them
as data. Every awarded grant gets its final proof and factual report, in the state its status
says.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Long on purpose: a released migration is frozen, and Alembic's upgrade is one function, the
# steps in the order the schema needs them.
def upgrade() -> None:
    op.create_table(
        "base_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_rate")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_base_rate_valid_from")),
    )
    op.create_table(
        "budget_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grant_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("own_amount", sa.Numeric(precision=14, scale=2), nullable=True),
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
            name=op.f("fk_budget_year_application_id_funding_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_year")),
        sa.UniqueConstraint(
            "application_id", "year", name=op.f("uq_budget_year_application_id_year")
        ),
    )
    with op.batch_alter_table("budget_year", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_year_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "cost_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("cost_type", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("requested", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("approved", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("actual", sa.Numeric(precision=14, scale=2), nullable=True),
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
            name=op.f("fk_cost_item_application_id_funding_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_item")),
        sa.UniqueConstraint("key", name=op.f("uq_cost_item_key")),
    )
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cost_item_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "proof_of_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("budget_year", sa.Integer(), server_default="0", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("check_started_on", sa.Date(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("recovery_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
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
            name=op.f("fk_proof_of_use_application_id_funding_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proof_of_use")),
        sa.UniqueConstraint(
            "application_id",
            "kind",
            "budget_year",
            name=op.f("uq_proof_of_use_application_id_kind_budget_year"),
        ),
    )
    with op.batch_alter_table("proof_of_use", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proof_of_use_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proof_of_use_due_on"), ["due_on"], unique=False)

    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=True),
        sa.Column("interest_to", sa.Date(), nullable=True),
        sa.Column("repaid_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
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
            name=op.f("fk_refund_application_id_funding_application"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["grant_notice.id"], name=op.f("fk_refund_notice_id_grant_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
        sa.UniqueConstraint("key", name=op.f("uq_refund_key")),
    )
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refund_notice_id"), ["notice_id"], unique=False)

    with op.batch_alter_table("funding_programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refund_interest_points", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("final_share_rate", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("cost_tolerance_rate", sa.Numeric(precision=5, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("eligible_cost_types", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("interim_proof_months", sa.Integer(), nullable=True))

    _seed_rules()
    _convert_proofs()


# The base rate (Basiszinssatz, § 247 BGB) as the Bundesbank announced it; the last entry holds
# until the next one is recorded (operations notes: keep it current every 1 January / 1 July).
BASE_RATES = (
    ("2016-07-01", "-0.88"),
    ("2023-01-01", "1.62"),
    ("2023-07-01", "3.12"),
    ("2024-01-01", "3.62"),
    ("2024-07-01", "3.37"),
    ("2025-01-01", "2.27"),
    ("2025-07-01", "1.27"),
)
PUBLIC = ("MPSC", "EFRE", "GIGA-BUND", "GIGA-NRW", "MFUND", "NRW-DIGI")


def _seed_rules() -> None:
    """The seeded programmes' rules (README, "Funding rules"): § 49a VwVfG interest 5 points
    above the base rate, the ANBest tolerance of 20 % per cost item and interim proofs 4 months
    after each budget year; MPSC pays its last 5 % after the check of the proof of use."""
    base_rate = sa.table(
        "base_rate", sa.column("valid_from", sa.Date()), sa.column("rate", sa.Numeric(5, 2))
    )
    op.bulk_insert(
        base_rate,
        [
            {"valid_from": dt.date.fromisoformat(day), "rate": Decimal(rate)}
            for day, rate in BASE_RATES
        ],
    )
    keys = ", ".join(f"'{key}'" for key in PUBLIC)
    op.execute(
        "UPDATE funding_programme SET refund_interest_points = 5, cost_tolerance_rate = 20, "
        f"interim_proof_months = 4 WHERE key IN ({keys})"
    )
    op.execute("UPDATE funding_programme SET final_share_rate = 5 WHERE key = 'MPSC'")
    programme = sa.table(
        "funding_programme",
        sa.column("key", sa.String()),
        sa.column("eligible_cost_types", sa.JSON()),
    )
    for key, types in ELIGIBLE_COST_TYPES.items():
        op.execute(
            programme.update().where(programme.c.key == key).values(eligible_cost_types=list(types))
        )


ELIGIBLE_COST_TYPES: dict[str, tuple[str, ...]] = {
    "MPSC": ("personnel", "material", "investment", "external_services"),
    "EFRE": ("personnel", "material", "investment", "external_services"),
    "GIGA-BUND": ("investment", "external_services"),
    "GIGA-NRW": ("investment", "external_services"),
    "MFUND": ("personnel", "material", "external_services"),
    "NRW-DIGI": ("personnel", "material", "investment", "external_services"),
}


def _convert_proofs() -> None:
    """Every awarded grant with a proof-of-use deadline owes its final proof and factual report
    by then: due while it runs, submitted once its status says so, accepted once closed."""
    for kind in ("final", "factual_report"):
        op.execute(
            "INSERT INTO proof_of_use (application_id, kind, budget_year, due_on, state, "
            "version, created_at, updated_at) "
            f"SELECT id, '{kind}', 0, proof_of_use_due, CASE status "
            "WHEN 'proof_submitted' THEN 'submitted' WHEN 'closed' THEN 'accepted' "
            "ELSE 'due' END, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM funding_application "
            "WHERE status IN ('approved', 'in_progress', 'proof_submitted', 'closed') "
            "AND proof_of_use_due IS NOT NULL ORDER BY id"
        )


def downgrade() -> None:
    with op.batch_alter_table("funding_programme", schema=None) as batch_op:
        batch_op.drop_column("interim_proof_months")
        batch_op.drop_column("eligible_cost_types")
        batch_op.drop_column("cost_tolerance_rate")
        batch_op.drop_column("final_share_rate")
        batch_op.drop_column("refund_interest_points")

    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_notice_id"))
        batch_op.drop_index(batch_op.f("ix_refund_application_id"))

    op.drop_table("refund")
    with op.batch_alter_table("proof_of_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proof_of_use_due_on"))
        batch_op.drop_index(batch_op.f("ix_proof_of_use_application_id"))

    op.drop_table("proof_of_use")
    with op.batch_alter_table("cost_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_item_application_id"))

    op.drop_table("cost_item")
    with op.batch_alter_table("budget_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_year_application_id"))

    op.drop_table("budget_year")
    op.drop_table("base_rate")
