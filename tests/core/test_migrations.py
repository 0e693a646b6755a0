"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from config import TestConfig
from lms import create_app
from lms.extensions import db
from tests.databases import throwaway_database


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A new, empty database of the same kind as the one the suite runs on."""
    with throwaway_database(database_url, "migrations", tmp_path) as url:
        yield url


def test_migrations_build_the_schema_the_models_describe(empty_database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        assert {"user", "course", "enrolment", "audit_entry"} <= set(inspect(db.engine).get_table_names())

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
