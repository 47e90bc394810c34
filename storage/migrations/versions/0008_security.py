"""security: the buttons offered in a conversation (a postback is accepted only if offered)

Revision ID: 0008
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation_states", schema=None) as batch_op:
        batch_op.drop_column("offered")
