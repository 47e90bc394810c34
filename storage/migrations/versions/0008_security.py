"""security: the buttons offered in a conversation (a postback is accepted only if offered), and an
index for the console's per-address login limit, and one of pending inbox events by member address (one
turn at a time per member across processes)

Revision ID: 0008
Revises: 0006, 0007
Hand-written. It changes tables of the console (0006) and the inbox (0007), so it follows both: a merge of
those two branches (an Alembic `depends_on` of two sibling branches breaks `upgrade heads`).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = ("0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.JSON(), nullable=True))
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.create_index("ix_console_audit_ip_at", ["ip", "at"], unique=False)
    op.create_index("ix_processed_events_pending_address", "processed_events", ["address", "received_at"],
                    unique=False, postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_index("ix_processed_events_pending_address", table_name="processed_events")
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_console_audit_ip_at")
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.drop_column("offered")
