"""extensions (more time or attempts for one trainee) and announcements to an intake, with their receipts

Revision ID: 0015_extensions_announcements
Revises: 0013_staff
Create Date: 2026-12-02 00:55:55.508013

"""
from alembic import op
import sqlalchemy as sa

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0015_extensions_announcements'
down_revision = '0013_staff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_announcement_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], name=op.f('fk_announcement_intake_id_intake'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_intake_posted', ['intake_id', 'posted_at'], unique=False)

    op.create_table('announcement_receipt',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcement.id'], name=op.f('fk_announcement_receipt_announcement_id_announcement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_announcement_receipt_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'user_id', name=op.f('pk_announcement_receipt'))
    )
    op.create_table('extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('due_at', lms.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extra_attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('due_at IS NOT NULL OR extra_attempts > 0', name=op.f('ck_extension_extends_something')),
    sa.CheckConstraint('extra_attempts >= 0', name=op.f('ck_extension_extra_attempts_not_negative')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_extension_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_extension_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_extension_granted_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension')),
    sa.UniqueConstraint('enrolment_id', 'assessment_id', name=op.f('uq_extension_enrolment_id_assessment_id'))
    )


def downgrade():
    op.drop_table('extension')
    op.drop_table('announcement_receipt')
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_intake_posted')

    op.drop_table('announcement')
