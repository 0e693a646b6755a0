"""flask demo load: the demo programme, for trying the platform (refused in production)."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.catalogue.course_files import read_tree
from lms.catalogue.models import Course
from lms.catalogue.operations import import_courses
from lms.demo.loader import DEMO_PASSWORD, clear_database, database_has_data, load_demo
from lms.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--reset", is_flag=True, help="Delete everything in the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def load_command(reset: bool, if_empty: bool) -> None:
    """Load the demo programme into an empty database."""
    if not current_app.config["ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo data is never loaded in production.")
    if database_has_data():
        if if_empty:
            click.echo("The database already has data; the demo programme was not loaded again.")
            return
        if not reset:
            raise click.ClickException("The database is not empty. Use --reset to delete everything and reload.")
        clear_database()
        click.echo("Deleted every row.")
    try:
        if reset or db.session.scalar(select(Course.id).limit(1)) is None:
            result = import_courses(read_tree(current_app.config["COURSES_DIR"]))
            click.echo(f"Courses: {result.summary()}")
        summary = load_demo()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"Demo programme loaded: {summary.countries} countries, {summary.trainees} trainees, "
        f"{summary.intakes} intakes, {summary.enrolments} enrolments.\n"
        f"Sign in as admin@demo.test, coordinator@demo.test, th.coordinator@demo.test, instructor@demo.test "
        f"or trainee@demo.test with the password {DEMO_PASSWORD!r}."
    )
