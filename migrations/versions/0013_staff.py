"""the type of a trainee's organisation (ministry or regulator, business, educational institution, other)

Revision ID: 0013_staff
Revises: 0012_languages
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_staff'
down_revision = '0012_languages'
branch_labels = None
depends_on = None

ORGANISATION_TYPES = ('government', 'business', 'education', 'other')


def upgrade():
    with op.batch_alter_table('trainee_profile') as batch:
        batch.add_column(sa.Column('organisation_type', sa.Enum(*ORGANISATION_TYPES, name='organisationtype',
                                                                native_enum=False, create_constraint=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table('trainee_profile') as batch:
        batch.drop_constraint('organisationtype', type_='check')
        batch.drop_column('organisation_type')
