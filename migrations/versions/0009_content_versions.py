"""course content versions, intakes pinned to one, exact (NUMERIC) points, weights and scores,
and when a quiz shows its answers

Each course gets a course_version row for the content it has now (numbered as course.version);
its modules, lessons and assessments, and every intake of the course, point at that version.

Revision ID: 0009_content_versions
Revises: 0008_jobs
Create Date: 2026-12-01 21:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_content_versions'
down_revision = '0008_jobs'
branch_labels = None
depends_on = None

EXACT = sa.Numeric(12, 6)
# (table, column, nullable) of every number that now has to be exact
EXACT_COLUMNS = [
    ('assessment', 'weight', False), ('question', 'points', False), ('rubric_level', 'points', False),
    ('attempt', 'raw_score', True), ('attempt', 'score', True), ('attempt', 'override_score', True),
    ('submission', 'score', True), ('enrolment', 'final_grade', True),
]
CONTENT_TABLES = ('module', 'lesson', 'assessment')
ANSWER_DISPLAY = ('after-each-attempt', 'after-last-attempt', 'after-intake-closes', 'never')


def upgrade():
    op.create_table(
        'course_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=40), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('number >= 1', name=op.f('ck_course_version_number_positive')),
        sa.CheckConstraint('pass_mark BETWEEN 0 AND 100', name=op.f('ck_course_version_pass_mark_percentage')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_version_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_course_version_imported_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_version')),
        sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_version_course_id_number')),
    )
    op.execute("INSERT INTO course_version (course_id, number, content_hash, pass_mark, label, summary, imported_at) "
               "SELECT id, version, content_hash, pass_mark, CAST(version AS VARCHAR(40)), '', imported_at FROM course")
    version_of_course = ("(SELECT course_version.id FROM course_version JOIN course ON course.id = course_version.course_id "
                         "AND course.version = course_version.number WHERE course_version.course_id = {table}.course_id)")

    for table in CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET version_id = {version_of_course.format(table=table)}")
        with op.batch_alter_table(table) as batch:
            batch.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
            batch.drop_constraint(f'uq_{table}_course_id_slug', type_='unique')
            batch.create_unique_constraint(op.f(f'uq_{table}_version_id_slug'), ['version_id', 'slug'])
            batch.create_foreign_key(op.f(f'fk_{table}_version_id_course_version'), 'course_version',
                                     ['version_id'], ['id'], ondelete='CASCADE')
            batch.create_index(op.f(f'ix_{table}_version_id'), ['version_id'])

    with op.batch_alter_table('intake') as batch:
        batch.add_column(sa.Column('course_version_id', sa.Integer(), nullable=True))
    op.execute(f"UPDATE intake SET course_version_id = {version_of_course.format(table='intake')}")
    with op.batch_alter_table('intake') as batch:
        batch.alter_column('course_version_id', existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f('fk_intake_course_version_id_course_version'), 'course_version',
                                 ['course_version_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column(
            'answers_shown', sa.Enum(*ANSWER_DISPLAY, name='answerdisplay', native_enum=False, create_constraint=True),
            nullable=False, server_default='after-last-attempt'))
    with op.batch_alter_table('assessment') as batch:
        batch.alter_column('answers_shown', server_default=None)

    for table, column, nullable in EXACT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.Float(), type_=EXACT, existing_nullable=nullable,
                               postgresql_using=f'{column}::numeric(12, 6)')


def downgrade():
    connection = op.get_bind()
    several = connection.execute(sa.text(
        "SELECT count(*) FROM course_version GROUP BY course_id HAVING count(*) > 1")).first()
    if several:
        raise RuntimeError("Some courses have several versions; an earlier schema can hold only one.")
    for table, column, nullable in EXACT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=EXACT, type_=sa.Float(), existing_nullable=nullable)
    with op.batch_alter_table('assessment') as batch:
        batch.drop_constraint(op.f('ck_assessment_answerdisplay'), type_='check')
        batch.drop_column('answers_shown')
    with op.batch_alter_table('intake') as batch:
        batch.drop_constraint(op.f('fk_intake_course_version_id_course_version'), type_='foreignkey')
        batch.drop_column('course_version_id')
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f'ix_{table}_version_id'))
            batch.drop_constraint(op.f(f'fk_{table}_version_id_course_version'), type_='foreignkey')
            batch.drop_constraint(op.f(f'uq_{table}_version_id_slug'), type_='unique')
            batch.create_unique_constraint(op.f(f'uq_{table}_course_id_slug'), ['course_id', 'slug'])
            batch.drop_column('version_id')
    op.drop_table('course_version')
