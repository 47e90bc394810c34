"""console: officer logins and the audit log

Revision ID: 0006
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="uq_console_logins_email"),
    )
    with op.batch_alter_table("console_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_logins_member_id"), ["member_id"], unique=False)
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("login_id", sa.Integer(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_login_id"), ["login_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_province"), ["province"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_audit_action"), ["action"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_audit_action"))
        batch_op.drop_index(batch_op.f("ix_console_audit_province"))
        batch_op.drop_index(batch_op.f("ix_console_audit_login_id"))
        batch_op.drop_index(batch_op.f("ix_console_audit_at"))
    op.drop_table("console_audit")
    with op.batch_alter_table("console_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_logins_member_id"))
    op.drop_table("console_logins")
