"""events: trainings, seminars and forums; registrations, attendees, waitlist offers, feedback

Revision ID: 0004
Revises: 0001
Hand-written (branches from the foundation like the other features; `upgrade heads` applies all).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _dt(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def _s(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        _s("kind", 16),
        _s("title", 300),
        _s("description", 2000, True),
        _dt("starts_at"),
        _dt("ends_at"),
        _s("venue", 300),
        _s("map_url", 500, True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        _s("province", 64),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_per_org", sa.Integer(), nullable=False),
        sa.Column("audience_kinds", sa.JSON(), nullable=False),
        sa.Column("audience_provinces", sa.JSON(), nullable=False),
        _dt("registration_deadline", True),
        _s("status", 16),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        _dt("created_at"),
        _dt("updated_at"),
        _dt("published_at", True),
        _dt("cancelled_at", True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_starts_at", "events", ["starts_at"])
    op.create_index("ix_events_province", "events", ["province"])
    op.create_index("ix_events_status", "events", ["status"])

    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        _s("phone", 20, True),
        _s("status", 16),
        sa.Column("seats", sa.Integer(), nullable=False),
        _s("checkin_code", 8),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        _dt("offered_at", True),
        _dt("offer_expires_at", True),
        _s("cancel_reason", 32, True),
        _dt("created_at"),
        _dt("updated_at"),
        _dt("cancelled_at", True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "checkin_code", name="uq_event_registrations_checkin"),
    )
    op.create_index("ix_event_registrations_event_id", "event_registrations", ["event_id"])
    op.create_index("ix_event_registrations_organization_id", "event_registrations", ["organization_id"])
    op.create_index("ix_event_registrations_member_id", "event_registrations", ["member_id"])
    op.create_index("ix_event_registrations_event_status", "event_registrations", ["event_id", "status"])

    op.create_table(
        "event_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        _s("name", 200),
        _s("position", 200, True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        _dt("attended_at", True),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_attendees_registration_id", "event_attendees", ["registration_id"])
    op.create_index("ix_event_attendees_event_id", "event_attendees", ["event_id"])

    op.create_table(
        "event_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        _s("comment", 1000, True),
        _dt("created_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["event_registrations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id", name="uq_event_feedback_registration"),
    )
    op.create_index("ix_event_feedback_event_id", "event_feedback", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_event_feedback_event_id", table_name="event_feedback")
    op.drop_table("event_feedback")
    op.drop_index("ix_event_attendees_event_id", table_name="event_attendees")
    op.drop_index("ix_event_attendees_registration_id", table_name="event_attendees")
    op.drop_table("event_attendees")
    for name in ("ix_event_registrations_event_status", "ix_event_registrations_member_id",
                 "ix_event_registrations_organization_id", "ix_event_registrations_event_id"):
        op.drop_index(name, table_name="event_registrations")
    op.drop_table("event_registrations")
    for name in ("ix_events_status", "ix_events_province", "ix_events_starts_at"):
        op.drop_index(name, table_name="events")
    op.drop_table("events")
