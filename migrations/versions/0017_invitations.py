"""when an account made by staff was invited to choose its first password

Revision ID: 0017_invitations
Revises: 0015_extensions_announcements
Create Date: 2026-12-02 01:00:00

"""
import sqlalchemy as sa
from alembic import op

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0017_invitations'
down_revision = '0015_extensions_announcements'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('invited_at', lms.core.db.UTCDateTime(timezone=True), nullable=True))
    # Trainees nominated by CSV before this column existed and still waiting for their password: never
    # confirmed, and never registered themselves (self-registration writes a user.registered entry).
    op.execute(
        "UPDATE \"user\" SET invited_at = created_at WHERE email_confirmed_at IS NULL AND id NOT IN "
        "(SELECT object_id FROM audit_entry WHERE action = 'user.registered' AND object_type = 'user' "
        "AND object_id IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('invited_at')
