"""outbox: on PostgreSQL the key is compared byte by byte (COLLATE "C")

The reminder scan reads the outbox keys of one source and offset as a range of the unique index
(``key >= 'reminder:deadline:12:member:' AND key < 'reminder:deadline:12:member;'``, bot/bulk_reminders.py).
That range means "starts with" only in a byte-wise order: under a language collation such as en_US.UTF-8
punctuation is ignored at first, most keys would fall outside it, and every scan would think them new.
Keys are ASCII identifiers; SQLite already compares them byte by byte (BINARY).

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("outbox", "key", existing_type=sa.String(200), type_=sa.String(200, collation="C"),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("outbox", "key", existing_type=sa.String(200, collation="C"), type_=sa.String(200),
                        existing_nullable=False)
