"""foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 00:26:23.184352
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('conversation_states',
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('flow', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('greeted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address')
    )
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('certification_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('verified_by', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_province'), ['province'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name='uq_outbox_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_broadcast_id'), ['broadcast_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    op.create_table('processed_events',
    sa.Column('event_key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_key')
    )
    op.create_table('web_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('web_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_inbox_address'), ['address'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('officer_province', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('consent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('announcements_opt_out', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_organization_id'), ['organization_id'], unique=False)

    op.create_table('member_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('reachable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('address', name='uq_member_identities_address')
    )
    with op.batch_alter_table('member_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_identities_member_id'), ['member_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('member_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_identities_member_id'))

    op.drop_table('member_identities')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_organization_id'))

    op.drop_table('members')
    with op.batch_alter_table('web_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_inbox_address'))

    op.drop_table('web_inbox')
    op.drop_table('processed_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_member_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_kind'))
        batch_op.drop_index(batch_op.f('ix_outbox_content_hash'))
        batch_op.drop_index(batch_op.f('ix_outbox_broadcast_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_address'))

    op.drop_table('outbox')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_province'))
        batch_op.drop_index(batch_op.f('ix_organizations_name_key'))
        batch_op.drop_index(batch_op.f('ix_organizations_kind'))

    op.drop_table('organizations')
    op.drop_table('conversation_states')
    
