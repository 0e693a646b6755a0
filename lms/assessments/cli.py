"""flask uploads ...: looking after the stored assignment files."""
from datetime import timedelta

import click
from flask.cli import AppGroup

from lms.assessments.sweep import GRACE, sweep_orphan_files

uploads_cli = AppGroup("uploads", help="Stored assignment files.")


@uploads_cli.command("sweep")
@click.option("--grace-minutes", type=click.IntRange(min=1), default=int(GRACE.total_seconds() // 60),
              show_default=True, help="Keep unnamed files younger than this (a request may still be saving them).")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def sweep_command(grace_minutes: int, dry_run: bool):
    """Remove stored files that no submission names (left by a server stopped mid-upload)."""
    result = sweep_orphan_files(timedelta(minutes=grace_minutes), dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(result.removed)} file(s) no submission names ({result.freed_bytes} bytes); "
               f"kept {result.kept_young} younger than {grace_minutes} minute(s).")
