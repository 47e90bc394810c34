"""inbox: processed_events becomes the durable inbox of webhook events

Revision ID: 0007
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
Existing rows were handled before the inbox existed: they become ``done`` (done_at = received_at).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default="done"))
        batch_op.add_column(sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_processed_events_status"), ["status", "received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_processed_events_done_at"), ["done_at"], unique=False)
    op.execute("UPDATE processed_events SET done_at = received_at WHERE done_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_events_done_at"))
        batch_op.drop_index(batch_op.f("ix_processed_events_status"))
        for col in ("done_at", "attempts", "claimed_until", "claimed_by", "result", "payload", "address", "channel",
                    "status"):
            batch_op.drop_column(col)
