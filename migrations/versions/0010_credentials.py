"""Certificates carry their signed Open Badges 3.0 credential; a programme may set an AQRF level.

Revision ID: 0010_credentials
Revises: 0009_content_versions
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_credentials"
down_revision = "0009_content_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("credential_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("credential_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("aqrf_level", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_programme_aqrf_level_range"), "aqrf_level BETWEEN 1 AND 8")


def downgrade():
    with op.batch_alter_table("programme") as batch:
        batch.drop_constraint(op.f("ck_programme_aqrf_level_range"), type_="check")
        batch.drop_column("aqrf_level")
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("credential_sha256")
        batch.drop_column("credential_json")
