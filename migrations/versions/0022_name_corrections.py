"""name corrections: a trainee's request to correct the names printed on her certificates, kept with its decision

Revision ID: 0022_name_corrections
Revises: 0016_instructor_pages
Create Date: 2026-12-02 07:13:36.293076

"""
from alembic import op
import sqlalchemy as sa

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0022_name_corrections'
down_revision = '0016_instructor_pages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('name_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('native_name', sa.String(length=120), nullable=True),
    sa.Column('old_full_name', sa.String(length=120), nullable=False),
    sa.Column('old_native_name', sa.String(length=120), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='correctionstate', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name=op.f('ck_name_correction_decided_when_not_pending')),
    sa.CheckConstraint("state != 'refused' OR decision_reason IS NOT NULL", name=op.f('ck_name_correction_refusal_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_name_correction_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_name_correction_user_id_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_correction'))
    )
    with op.batch_alter_table('name_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_correction_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_name_correction_pending', ['user_id'], unique=True, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))



def downgrade():
    with op.batch_alter_table('name_correction', schema=None) as batch_op:
        batch_op.drop_index('uq_name_correction_pending', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_name_correction_user_id'))

    op.drop_table('name_correction')
