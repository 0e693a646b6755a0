"""the quota reports' version: one row whose value grows whenever data the reports show changes

Dashboards keep the rendered report per process under this number instead of counting every enrolment
and certificate again on each request (lms/reports/freshness.py).

Revision ID: 0006_report_version
Revises: 0005_lookup_indexes
Create Date: 2026-11-27 09:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_report_version'
down_revision = '0005_lookup_indexes'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'report_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('report_version')
