"""outbox: a message queued for many is stored once (outbox_contents), and only the indexes a query uses

A national broadcast or deadline reminder queues tens of thousands of rows in a minute; every row carried
its own copy of the card (most of the bytes written) and ten indexes. Now rows of a shared message have
``content`` NULL and point at ``outbox_contents`` by ``content_hash``; ``kind``, ``status`` and
``next_attempt_at`` lose their own indexes (no query reads by kind; status and time are read together:
one index), and ``batch_id`` / ``broadcast_id`` are indexed only where set (a reminder has neither).

Revision ID: 0018
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0018"
down_revision = "0002"
branch_labels = None
depends_on = None

_SET = {"batch_id": "batch_id IS NOT NULL", "broadcast_id": "broadcast_id IS NOT NULL"}


def upgrade() -> None:
    op.create_table(
        "outbox_contents",
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    for name in ("kind", "status", "next_attempt_at", "batch_id", "broadcast_id"):
        op.drop_index(f"ix_outbox_{name}", table_name="outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.JSON(), nullable=True)
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    for column, where in _SET.items():
        op.create_index(f"ix_outbox_{column}", "outbox", [column], sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def downgrade() -> None:
    op.execute("UPDATE outbox SET content = (SELECT c.content FROM outbox_contents c "
               "WHERE c.content_hash = outbox.content_hash) WHERE content IS NULL")
    op.execute("UPDATE outbox SET content = '[]' WHERE content IS NULL")
    for column in _SET:
        op.drop_index(f"ix_outbox_{column}", table_name="outbox")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.JSON(), nullable=False)
    for name in ("kind", "status", "next_attempt_at", "batch_id", "broadcast_id"):
        op.create_index(f"ix_outbox_{name}", "outbox", [name])
    op.drop_table("outbox_contents")
