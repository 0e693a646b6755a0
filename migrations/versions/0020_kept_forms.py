"""forms that arrived after the session ended, kept with what was typed so it can be sent again

Revision ID: 0020_kept_forms
Revises: 0019_content_translations
Create Date: 2026-12-02 01:30:00

"""
import sqlalchemy as sa
from alembic import op

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0020_kept_forms'
down_revision = '0019_content_translations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kept_form',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('created_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )


def downgrade():
    op.drop_table('kept_form')
