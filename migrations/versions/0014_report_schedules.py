"""report schedules: the quota report mailed monthly or weekly, and each due time's run

Revision ID: 0014_report_schedules
Revises: 0020_kept_forms
Create Date: 2026-12-02 01:00:24

"""
from alembic import op
import sqlalchemy as sa

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0014_report_schedules'
down_revision = '0020_kept_forms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Enum('monthly', 'weekly', name='frequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('day_of_month', sa.Integer(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('time_of_day', sa.Time(), nullable=False),
    sa.Column('send_pdf', sa.Boolean(), nullable=False),
    sa.Column('send_csv', sa.Boolean(), nullable=False),
    sa.Column('when_unchanged', sa.Enum('send', 'skip', name='whenunchanged', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('to_programme_coordinators', sa.Boolean(), nullable=False),
    sa.Column('extra_addresses', sa.JSON(), nullable=False),
    sa.Column('is_paused', sa.Boolean(), nullable=False),
    sa.Column('next_run_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_schedule_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_report_schedule_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['user.id'], name=op.f('fk_report_schedule_subscriber_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedule')),
    sa.UniqueConstraint('subscriber_id', name=op.f('uq_report_schedule_subscriber_id'))
    )
    with op.batch_alter_table('report_schedule', schema=None) as batch_op:
        batch_op.create_index('ix_report_schedule_due', ['is_paused', 'next_run_at'], unique=False)

    op.create_table('report_schedule_country',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_report_schedule_country_country_id_country'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedule.id'], name=op.f('fk_report_schedule_country_schedule_id_report_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('schedule_id', 'country_id', name=op.f('pk_report_schedule_country'))
    )
    op.create_table('report_schedule_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('due_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'skipped', 'failed', name='runstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('started_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('recipients_count', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('fingerprints', sa.JSON(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_report_schedule_run_requested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedule.id'], name=op.f('fk_report_schedule_run_schedule_id_report_schedule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedule_run')),
    sa.UniqueConstraint('schedule_id', 'due_at', name=op.f('uq_report_schedule_run_schedule_id_due_at'))
    )
    with op.batch_alter_table('report_schedule_run', schema=None) as batch_op:
        batch_op.create_index('ix_report_schedule_run_status', ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('report_schedule_run', schema=None) as batch_op:
        batch_op.drop_index('ix_report_schedule_run_status')

    op.drop_table('report_schedule_run')
    op.drop_table('report_schedule_country')
    with op.batch_alter_table('report_schedule', schema=None) as batch_op:
        batch_op.drop_index('ix_report_schedule_due')

    op.drop_table('report_schedule')
