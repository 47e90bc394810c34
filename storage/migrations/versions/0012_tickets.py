"""tickets: questions to the office, their messages, LINE reach statistics, batches' aggregation unit

Revision ID: 0012
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0012"
down_revision = "0001"
branch_labels = None
depends_on = "0002"  # delivery_batches


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("assigned_login_id", sa.Integer(), nullable=True),
        sa.Column("assigned_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("mark_as_read_token", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("read_marked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("waiting_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_assigned_login_id"), ["assigned_login_id"], unique=False)
        batch_op.create_index("ix_tickets_province_status", ["province", "status"], unique=False)
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_messages_ticket_id"), ["ticket_id"], unique=False)
    op.create_table(
        "reach_stats",
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=True),
        sa.Column("clicked", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("unit"),
    )
    with op.batch_alter_table("delivery_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aggregation_unit", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.create_index(batch_op.f("ix_delivery_batches_aggregation_unit"), ["aggregation_unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_batches_aggregation_unit"))
        batch_op.drop_column("aggregation_unit")
    op.drop_table("reach_stats")
    op.drop_table("ticket_messages")
    op.drop_table("tickets")
