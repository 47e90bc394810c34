"""organizations: an officer's rejection of an organization's verification, with the reason told to its members;
events: registration deadlines the console stored as midnight after the day typed now end at 23:59 on that day

Revision ID: 0014
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0014"
down_revision = "0001"
branch_labels = None
depends_on = "0004"  # events


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    _deadlines_end_on_their_day()


def _deadlines_end_on_their_day() -> None:
    """The console used to store "until 15 Jan" as 16 Jan 00:00 (Bangkok), shown as the 16th; the day
    typed now closes at 23:59 on it (bot.clock.end_of_day). A handful of rows: read and fixed one by one."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    bangkok = ZoneInfo("Asia/Bangkok")
    bind = op.get_bind()
    events = sa.table("events", sa.column("id", sa.Integer()), sa.column("registration_deadline", sa.DateTime()))
    rows = bind.execute(sa.select(events.c.id, events.c.registration_deadline)
                        .where(events.c.registration_deadline.is_not(None))).all()
    for event_id, deadline in rows:
        aware = deadline if deadline.tzinfo else deadline.replace(tzinfo=timezone.utc)
        local = aware.astimezone(bangkok)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            fixed = aware - timedelta(minutes=1)
            value = fixed if deadline.tzinfo else fixed.replace(tzinfo=None)
            bind.execute(events.update().where(events.c.id == event_id).values(registration_deadline=value))


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("rejected_at")
