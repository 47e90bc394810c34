"""reports: an officer's acceptance (accepted_at, accepted_by);
organizations: who speaks for each (representative_id), set to its first consented member;
org_join_requests: members asking to join an organization that already has a representative

Revision ID: 0015
Revises: 0014
Depends on: 0005 (the reports tables)
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = "0005"


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("accepted_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_reports_accepted_by_members", "members", ["accepted_by"], ["id"],
                                    ondelete="SET NULL")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("representative_id", sa.Integer(), nullable=True))
    # One statement, whatever the number of organizations: the earliest consented member speaks for it.
    op.execute("UPDATE organizations SET representative_id = (SELECT MIN(members.id) FROM members "
               "WHERE members.organization_id = organizations.id AND members.consent_at IS NOT NULL)")
    op.create_table(
        "org_join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["members.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("member_id", "organization_id", "status"):
        op.create_index(f"ix_org_join_requests_{column}", "org_join_requests", [column], unique=False)


def downgrade() -> None:
    op.drop_table("org_join_requests")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("representative_id")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reports_accepted_by_members", type_="foreignkey")
        batch_op.drop_column("accepted_by")
        batch_op.drop_column("accepted_at")
