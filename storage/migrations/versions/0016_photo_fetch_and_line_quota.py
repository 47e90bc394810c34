"""report photos: when a pending photo is fetched next (the fetch left the turn for a scheduled job);
line_quota: LINE's monthly quota and usage as last read by the scheduler (a chat turn reads it, never LINE)

Revision ID: 0016
Revises: 0014
Depends on: 0005 (the report tables)
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = "0005"  # report_photos


def upgrade() -> None:
    with op.batch_alter_table("report_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "line_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monthly_limit", sa.Integer(), nullable=True),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("line_quota")
    with op.batch_alter_table("report_photos", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
