"""a session's start time (the venue's wall clock) and its place, when not the intake's location

Revision ID: 0016_instructor_pages
Revises: 0014_report_schedules
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_instructor_pages'
down_revision = '0014_report_schedules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intake_session') as batch:
        batch.add_column(sa.Column('starts_at', sa.Time(), nullable=True))
        batch.add_column(sa.Column('place', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('intake_session') as batch:
        batch.drop_column('place')
        batch.drop_column('starts_at')
