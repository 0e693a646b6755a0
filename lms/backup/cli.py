"""flask backup create / restore: one archive of the installation, and bringing it back."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.backup.operations import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up the database, uploads and PDFs; restore into an empty installation.")


@backup_cli.command("create")
@click.option("--to", "destination", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive (default: BACKUP_DIR).")
@click.option("--keep", type=click.IntRange(min=1), default=None, help="Keep only the newest N archives there.")
def create_command(destination: Path | None, keep: int | None) -> None:
    """Write one archive: the database, uploads, stored PDFs and a manifest of row counts and checksums."""
    try:
        archive = create_backup(destination or Path(current_app.config["BACKUP_DIR"]), keep=keep)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written: {archive}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE into this installation, whose database and file folders must be empty."""
    try:
        manifest = restore_backup(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored {archive.name}: {len(manifest['tables'])} tables ({rows} rows), "
               f"{len(manifest['files'])} files, schema {manifest['schema_revision']}; every count and checksum "
               "matches the manifest.")
