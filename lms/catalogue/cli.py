"""flask courses import|validate: the catalogue is built from the files under courses/."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.catalogue.course_files import CourseTreeInvalid, read_tree
from lms.catalogue.operations import apply_plan
from lms.catalogue.plans import build_plan
from lms.extensions import db

courses_cli = AppGroup("courses", help="Validate and import course files.")


def _root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["COURSES_DIR"])


@courses_cli.command("validate")
@click.argument("path", required=False)
def validate_command(path: str | None) -> None:
    """Check the course files under PATH (default: courses/) without importing."""
    try:
        specs = read_tree(_root(path))
    except CourseTreeInvalid as invalid:
        for error in invalid.errors:
            click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{len(specs)} course(s) valid: {', '.join(spec.slug for spec in specs)}")


@courses_cli.command("import")
@click.argument("path", required=False)
@click.option("--dry-run", is_flag=True, help="Show the plan (added, changed, retired and the effect on "
                                             "learners' work) and write nothing.")
def import_command(path: str | None, dry_run: bool) -> None:
    """Validate and import the courses under PATH (default: courses/); nothing is written if any is invalid."""
    try:
        specs = read_tree(_root(path))
    except CourseTreeInvalid as invalid:
        for error in invalid.errors:
            click.echo(f"error: {error}", err=True)
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(1) from None
    try:
        plan = build_plan(specs)
        for line in plan.lines():
            click.echo(line)
        if dry_run:
            db.session.rollback()
            click.echo("Dry run: nothing was written.")
            return
        result = apply_plan(plan)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Courses: {result.summary()}")


@courses_cli.command("offline-packs")
@click.option("--slug", help="Only this course (default: every course).")
def offline_packs_command(slug: str | None) -> None:
    """Build the offline packs (ZIP and PDF per language) of each course's versions in use, now."""
    from lms.catalogue.models import Course
    from lms.catalogue.offline import build_packs, versions_to_build

    courses = db.session.scalars(select(Course).where(Course.slug == slug) if slug else
                                 select(Course).order_by(Course.slug)).all()
    if not courses:
        raise click.ClickException(f"No course {slug!r}." if slug else "No course in the catalogue.")
    try:
        for course in courses:
            for version in versions_to_build(course):
                for pack in build_packs(version):
                    click.echo(f"{course.slug} v{version.number} {pack.language:<7} {pack.kind.value}  "
                               f"{pack.size_bytes / 1024:8.1f} KB  {pack.sha256[:12]}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
