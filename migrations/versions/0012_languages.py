"""each person's language and time zone, an intake's own zone (a face-to-face venue's), and course
content translated beside the English

Revision ID: 0012_languages
Revises: 0010_credentials
Create Date: 2026-12-01 21:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_languages'
down_revision = '0010_credentials'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    op.create_table(
        'content_translation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_content_translation_course_id_course'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translation')),
        sa.UniqueConstraint('course_id', 'kind', 'slug', 'language',
                            name=op.f('uq_content_translation_course_id_kind_slug_language')),
    )


def downgrade():
    op.drop_table('content_translation')
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('language')
