"""each course version's lessons packed to read offline: a ZIP of pages and a PDF per language

Revision ID: 0021_offline_packs
Revises: 0016_instructor_pages
Create Date: 2026-12-02 07:30:00

"""
import sqlalchemy as sa
from alembic import op

import lms.core.db


# revision identifiers, used by Alembic.
revision = '0021_offline_packs'
down_revision = '0022_name_corrections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'offline_pack',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.Enum('zip', 'pdf', name='packkind', native_enum=False, create_constraint=True,
                                  length=3), nullable=False),
        sa.Column('stored_name', sa.String(length=300), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('built_at', lms.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('size_bytes > 0', name=op.f('ck_offline_pack_size_positive')),
        sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('version_id', 'language', 'kind'),
    )
    op.create_index(op.f('ix_offline_pack_version_id'), 'offline_pack', ['version_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_offline_pack_version_id'), table_name='offline_pack')
    op.drop_table('offline_pack')
