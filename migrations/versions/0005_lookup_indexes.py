"""indexes for looking up a person's enrolments and certificates and an enrolment's attendance

The trainee's home page finds enrolments and certificates by user, and the gradebook of a classroom
intake counts attendance by enrolment; without these indexes each of those reads scans its table.

Revision ID: 0005_lookup_indexes
Revises: 0004_two_factor
Create Date: 2026-11-27 06:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_lookup_indexes'
down_revision = '0004_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_enrolment_id'), ['enrolment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_enrolment_id'))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_user_id'))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_user_id'))
