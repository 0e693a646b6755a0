"""when a user confirmed their e-mail address: self-registered accounts wait for it

Accounts that exist already were made before confirmation was asked for: they count as confirmed.

Revision ID: 0007_security
Revises: 0006_report_version
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op

import lms.core.db

# revision identifiers, used by Alembic.
revision = '0007_security'
down_revision = '0006_report_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', lms.core.db.UTCDateTime(timezone=True), nullable=True))
    op.execute('UPDATE "user" SET email_confirmed_at = created_at')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
