"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:40:33.516129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Long on purpose: a released migration is frozen, and Alembic's upgrade is one function, the
# tables in the order of their foreign keys.
def upgrade() -> None:

    op.create_table(
        "funding_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("programme_number", sa.String(length=60), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("standard_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("raised_rate", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("requires_own_share", sa.Boolean(), nullable=False),
        sa.Column("cap", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("proof_of_use_months", sa.Integer(), nullable=True),
        sa.Column("duties", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_programme")),
        sa.UniqueConstraint("key", name=op.f("uq_funding_programme_key")),
    )
    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_record")),
    )
    with op.batch_alter_table("import_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_record_sha256"), ["sha256"], unique=False)

    op.create_table(
        "journal_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("entity_key", sa.String(length=60), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entry")),
    )
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_journal_entry_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index("ix_journal_entry_project_at", ["project_id", "at"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact_role", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("key", name=op.f("uq_organisation_key")),
    )
    op.create_table(
        "published_brief",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_brief")),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("goal", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("key", name=op.f("uq_theme_key")),
    )
    op.create_table(
        "action_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_action_field_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_field")),
        sa.UniqueConstraint("key", name=op.f("uq_action_field_key")),
    )
    with op.batch_alter_table("action_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_field_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "journal_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entry.id"],
            name=op.f("fk_journal_change_entry_id_journal_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_change")),
    )
    with op.batch_alter_table("journal_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_change_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_journal_change_field", ["field"], unique=False)

    op.create_table(
        "programme_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cap", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("duration_months", sa.Integer(), nullable=True),
        sa.Column("proof_of_use_months", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["funding_programme.id"],
            name=op.f("fk_programme_phase_programme_id_funding_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_phase")),
        sa.UniqueConstraint(
            "programme_id", "key", name=op.f("uq_programme_phase_programme_id_key")
        ),
    )
    with op.batch_alter_table("programme_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_phase_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("goals", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("action_field_id", sa.Integer(), nullable=False),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        sa.Column("responsible_person", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("total_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("eligible_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("spatial_scope", sa.String(length=32), nullable=True),
        sa.Column("spatial_note", sa.String(length=200), nullable=True),
        sa.Column("charter_guidelines", sa.JSON(), nullable=False),
        sa.Column("sdgs", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("council_resolution_url", sa.String(length=500), nullable=True),
        sa.Column("repository_url", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_field_id"],
            ["action_field.id"],
            name=op.f("fk_project_action_field_id_action_field"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_project_lead_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("key", name=op.f("uq_project_key")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_action_field_archived", ["action_field_id", "archived"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_project_lead_organisation_id"), ["lead_organisation_id"], unique=False
        )
        batch_op.create_index("ix_project_status_archived", ["status", "archived"], unique=False)

    op.create_table(
        "funding_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("budget_emergency", sa.Boolean(), nullable=False),
        sa.Column("amount_requested", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("amount_approved", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("eligible_cost", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("funding_rate", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("own_share", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("reference_number", sa.String(length=60), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decision_on", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("proof_of_use_due", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["funding_programme.id"],
            name=op.f("fk_funding_application_programme_id_funding_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_funding_application_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_application")),
        sa.UniqueConstraint("key", name=op.f("uq_funding_application_key")),
    )
    with op.batch_alter_table("funding_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_application_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_application_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_application_proof_of_use_due"),
            ["proof_of_use_due"],
            unique=False,
        )

    op.create_table(
        "kpi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("baseline", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_kpi_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi")),
        sa.UniqueConstraint("key", name=op.f("uq_kpi_key")),
    )
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_project_id"), ["project_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("done_date", sa.Date(), nullable=True),
        sa.Column("responsible_organisation_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_milestone_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_milestone_responsible_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("key", name=op.f("uq_milestone_key")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_project_id"), ["project_id"], unique=False)

    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("contribution_cash", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("contribution_in_kind", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_participation_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_participation_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "project_id",
            "organisation_id",
            "role",
            name=op.f("uq_participation_project_id_organisation_id_role"),
        ),
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participation_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "status_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("overall", sa.String(length=32), nullable=False),
        sa.Column("schedule", sa.String(length=32), nullable=False),
        sa.Column("budget", sa.String(length=32), nullable=False),
        sa.Column("funding", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_status_report_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_report")),
        sa.UniqueConstraint(
            "project_id", "report_date", name=op.f("uq_status_report_project_id_report_date")
        ),
    )
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_report_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_status_report_report_date"), ["report_date"], unique=False
        )

    op.create_table(
        "kpi_measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_measurement_kpi_id_kpi")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_measurement")),
        sa.UniqueConstraint(
            "kpi_id", "measured_on", name=op.f("uq_kpi_measurement_kpi_id_measured_on")
        ),
    )
    with op.batch_alter_table("kpi_measurement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_measurement_kpi_id"), ["kpi_id"], unique=False)

    op.create_table(
        "payment_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
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
            name=op.f("fk_payment_request_application_id_funding_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_request")),
        sa.UniqueConstraint("key", name=op.f("uq_payment_request_key")),
    )
    with op.batch_alter_table("payment_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_request_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_request_due_on"), ["due_on"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("payment_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_request_due_on"))
        batch_op.drop_index(batch_op.f("ix_payment_request_application_id"))

    op.drop_table("payment_request")
    with op.batch_alter_table("kpi_measurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_measurement_kpi_id"))

    op.drop_table("kpi_measurement")
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_report_report_date"))
        batch_op.drop_index(batch_op.f("ix_status_report_project_id"))

    op.drop_table("status_report")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_project_id"))
        batch_op.drop_index(batch_op.f("ix_participation_organisation_id"))

    op.drop_table("participation")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_project_id"))
        batch_op.drop_index(batch_op.f("ix_milestone_due_date"))

    op.drop_table("milestone")
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_project_id"))

    op.drop_table("kpi")
    with op.batch_alter_table("funding_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_application_proof_of_use_due"))
        batch_op.drop_index(batch_op.f("ix_funding_application_project_id"))
        batch_op.drop_index(batch_op.f("ix_funding_application_programme_id"))

    op.drop_table("funding_application")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index("ix_project_status_archived")
        batch_op.drop_index(batch_op.f("ix_project_lead_organisation_id"))
        batch_op.drop_index("ix_project_action_field_archived")

    op.drop_table("project")
    with op.batch_alter_table("programme_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_phase_programme_id"))

    op.drop_table("programme_phase")
    with op.batch_alter_table("journal_change", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_change_field")
        batch_op.drop_index(batch_op.f("ix_journal_change_entry_id"))

    op.drop_table("journal_change")
    with op.batch_alter_table("action_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_field_theme_id"))

    op.drop_table("action_field")
    op.drop_table("theme")
    op.drop_table("published_brief")
    op.drop_table("organisation")
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entry_project_at")
        batch_op.drop_index("ix_journal_entry_entity")
        batch_op.drop_index(batch_op.f("ix_journal_entry_at"))

    op.drop_table("journal_entry")
    with op.batch_alter_table("import_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_record_sha256"))

    op.drop_table("import_record")
    op.drop_table("funding_programme")
