"""each person's language and time zone, and an intake's own zone (a face-to-face venue's)

Revision ID: 0012_languages
Revises: 0006_report_version
Create Date: 2026-12-01 21:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_languages'
down_revision = '0006_report_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('language')
