"""training day: walk-ins, dietary and access needs, certificate templates and certificates

Revision ID: 0013
Revises: 0001
Depends on: 0004 (the events tables)
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = "0004"


def _dt(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def _s(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "event_walkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        _s("organization", 300),
        _s("phone", 20, True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _dt("created_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id"),
    )
    op.create_index("ix_event_walkins_event_id", "event_walkins", ["event_id"])
    op.create_table(
        "event_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        _s("note", 300, True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id"),
    )
    op.create_index("ix_event_needs_event_id", "event_needs", ["event_id"])
    op.create_table(
        "certificate_templates",
        sa.Column("event_id", sa.Integer(), nullable=False),
        _s("title", 300),
        _s("signer_name", 200),
        _s("signer_position", 200),
        _s("office_name", 300),
        _dt("updated_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        _s("number", 40),
        _s("code", 24),
        _s("name", 200),
        _dt("issued_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["attendee_id"], ["event_attendees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attendee_id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_certificates_event_id", "certificates", ["event_id"])
    op.create_index("ix_certificates_registration_id", "certificates", ["registration_id"])


def downgrade() -> None:
    op.drop_index("ix_certificates_registration_id", table_name="certificates")
    op.drop_index("ix_certificates_event_id", table_name="certificates")
    op.drop_table("certificates")
    op.drop_table("certificate_templates")
    op.drop_index("ix_event_needs_event_id", table_name="event_needs")
    op.drop_table("event_needs")
    op.drop_index("ix_event_walkins_event_id", table_name="event_walkins")
    op.drop_table("event_walkins")
