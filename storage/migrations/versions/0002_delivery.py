"""delivery: outbox claims and leases, LINE send batches, broadcasts

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_outbox_batch_id", ["batch_id"], unique=False)
        batch_op.create_index("ix_outbox_claim", ["channel", "status", "next_attempt_at"], unique=False)
    # rows enqueued before this migration: their channel is the address prefix
    op.execute("UPDATE outbox SET channel = substr(address, 1, instr(address, ':') - 1) WHERE channel = ''"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE outbox SET channel = split_part(address, ':', 1) WHERE channel = ''")

    op.create_table(
        "delivery_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("chunks", sa.JSON(), nullable=False),
        sa.Column("retry_keys", sa.JSON(), nullable=False),
        sa.Column("chunks_done", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_batches", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_batches_status", ["status"], unique=False)
        batch_op.create_index("ix_delivery_batches_next_attempt_at", ["next_attempt_at"], unique=False)

    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("audience_label", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("scope_province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scheduled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("unreachable", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcasts_created_by", ["created_by"], unique=False)
        batch_op.create_index("ix_broadcasts_status", ["status"], unique=False)
        batch_op.create_index("ix_broadcasts_scheduled_at", ["scheduled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index("ix_broadcasts_scheduled_at")
        batch_op.drop_index("ix_broadcasts_status")
        batch_op.drop_index("ix_broadcasts_created_by")
    op.drop_table("broadcasts")
    with op.batch_alter_table("delivery_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_batches_next_attempt_at")
        batch_op.drop_index("ix_delivery_batches_status")
    op.drop_table("delivery_batches")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_claim")
        batch_op.drop_index("ix_outbox_batch_id")
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("batch_id")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("channel")
