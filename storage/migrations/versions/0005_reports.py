"""reports: deadlines, reports, activities, photos

Revision ID: 0005
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_deadlines_due_date"), ["due_date"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("returned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("returned_by", sa.Integer(), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=True),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deadline_id"], ["report_deadlines.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submitted_by"], ["members.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["returned_by"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "deadline_id", name="uq_reports_org_deadline"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_deadline_id"), ["deadline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_status"), ["status"], unique=False)

    op.create_table(
        "report_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("budget", sa.Numeric(14, 2), nullable=True),
        sa.Column("funding_source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("target_group", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_activities_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_ref", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["report_activities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_photos_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_photos_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("report_photos")
    op.drop_table("report_activities")
    op.drop_table("reports")
    op.drop_table("report_deadlines")
