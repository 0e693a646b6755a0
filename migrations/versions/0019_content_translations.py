"""the words of a translated quiz's questions and options and of an assignment's rubric

Revision ID: 0019_content_translations
Revises: 0017_invitations
Create Date: 2026-12-02 01:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_content_translations'
down_revision = '0017_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_translation') as batch:
        batch.add_column(sa.Column('parts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('content_translation') as batch:
        batch.drop_column('parts')
