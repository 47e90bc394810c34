"""security: the buttons offered in a conversation (a postback is accepted only if offered), and an
index for the console's per-address login limit

Revision ID: 0008
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = "0006"  # console_audit


def upgrade() -> None:
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.JSON(), nullable=True))
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.create_index("ix_console_audit_ip_at", ["ip", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_console_audit_ip_at")
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.drop_column("offered")
