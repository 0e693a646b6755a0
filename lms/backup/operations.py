"""Writing a backup archive and restoring one into an empty installation.

An archive (lms-backup-<UTC time>.tar) holds the database (SQLite's online backup, or `pg_dump -Fc`), the
uploads and the stored PDFs, and manifest.json: the schema revision, every table's row count and every
file's SHA-256. The counts are read from the same snapshot the dump is made from. A restore refuses a
database or file store that is not empty, checks every checksum before it writes anything, and checks the
row counts and files again afterwards.
"""
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - pg_dump and pg_restore, with argument lists, never a shell
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, func, inspect, select, table, text

from lms.core import clock
from lms.extensions import db

log = logging.getLogger(__name__)
ARCHIVE_PREFIX = "lms-backup-"
ARCHIVE_SUFFIX = ".tar"
MANIFEST = "manifest.json"
FORMAT = 1
# Where the files of an installation live, by their name in the archive.
FILE_STORES = {"uploads": "UPLOAD_DIR", "pdf": "PDF_DIR"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_names(connection) -> list[str]:
    names = [t.name for t in db.metadata.sorted_tables]
    if inspect(connection).has_table("alembic_version"):
        names.append("alembic_version")
    return names


def _row_counts(connection) -> dict[str, int]:
    return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in _table_names(connection)}


def _libpq(url) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump and pg_restore, the password in the environment (never in `ps`)."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--dbname", url.database]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _dump_database(staging: Path) -> tuple[str, dict[str, int], str | None]:
    """Write the database into `staging`; returns its file name, the row counts and the schema revision."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        target = staging / "database.sqlite3"
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: a consistent copy while the site runs
        finally:
            source.close()
            copy.close()
        counting = create_engine(f"sqlite:///{target}")
        try:
            with counting.connect() as connection:
                return target.name, _row_counts(connection), _revision(connection)
        finally:
            counting.dispose()
    if engine.dialect.name == "postgresql":
        target = staging / "database.pgdump"
        args, env = _libpq(engine.url)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                # pg_dump reads the snapshot the counts are read from, so they describe the same data.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                counts, revision = _row_counts(connection), _revision(connection)
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      "--file", str(target), *args], env)
        return target.name, counts, revision
    raise BackupError(f"backups of {engine.dialect.name} databases are not supported")


def _revision(connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _store_files() -> dict[str, Path]:
    return {name: Path(current_app.config[setting]) for name, setting in FILE_STORES.items()}


def _files_of(stores: dict[str, Path]) -> dict[str, Path]:
    """Every regular file of the stores, by its name in the archive (uploads/..., pdf/...)."""
    found = {}
    for name, root in stores.items():
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    found[f"{name}/{path.relative_to(root).as_posix()}"] = path
    return found


def create_backup(destination_dir: Path | str, keep: int | None = None) -> Path:
    """Write one archive into `destination_dir` and, with `keep`, delete all but the newest `keep` archives."""
    destination = Path(destination_dir)
    destination.mkdir(parents=True, exist_ok=True)
    if keep is not None and keep < 1:
        raise BackupError("keep must be at least 1")
    created_at = clock.now()
    name = f"{ARCHIVE_PREFIX}{created_at.strftime('%Y%m%dT%H%M%S%fZ')}{ARCHIVE_SUFFIX}"
    with tempfile.TemporaryDirectory(dir=destination, prefix=".staging-") as staging_dir:
        staging = Path(staging_dir)
        database_file, counts, revision = _dump_database(staging)
        files = _files_of(_store_files())
        manifest = {
            "format": FORMAT, "created_at": created_at.isoformat(), "dialect": db.engine.dialect.name,
            "schema_revision": revision, "database": {"name": database_file,
                                                      "sha256": _sha256(staging / database_file)},
            "tables": counts, "files": {member: _sha256(path) for member, path in files.items()},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        partial = destination / (name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(staging / MANIFEST, arcname=MANIFEST)
            archive.add(staging / database_file, arcname=database_file)
            for member, path in files.items():
                archive.add(path, arcname=member)
        partial.rename(destination / name)  # a half-written archive never looks like a backup
    log.info("backup written: %s (%d tables, %d files)", name, len(counts), len(files),
             extra={"archive": name, "tables": len(counts), "files": len(files)})
    if keep is not None:
        prune_backups(destination, keep)
    return destination / name


def list_backups(destination_dir: Path | str) -> list[Path]:
    """The archives in a folder, oldest first (their names sort by time)."""
    folder = Path(destination_dir)
    return sorted(path for path in folder.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if path.is_file())


def prune_backups(destination_dir: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives; returns what was deleted."""
    archives = list_backups(destination_dir)
    deleted = archives[:-keep] if keep else archives
    for path in deleted:
        path.unlink()
        log.info("old backup deleted: %s", path.name, extra={"archive": path.name})
    return deleted


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read().decode("utf-8"))
    except (KeyError, ValueError, AttributeError):
        raise BackupError("this is not a backup archive: it has no readable manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"this archive has format {manifest.get('format')!r}; this version reads {FORMAT}")
    return manifest


def _check_empty_installation(manifest: dict, stores: dict[str, Path]) -> None:
    dialect = db.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(f"the archive holds a {manifest['dialect']} database; this installation uses {dialect}")
    with db.engine.connect() as connection:
        existing = inspect(connection).get_table_names()
    if existing:
        raise BackupError("the database is not empty (it has tables): restore into a new, empty database")
    for name, root in stores.items():
        if root.exists() and any(root.iterdir()):
            raise BackupError(f"the {name} folder {root} is not empty: restore into an empty installation")


@contextmanager
def _extracted(archive_path: Path):
    """The archive's members in a temporary folder, every checksum verified against the manifest."""
    with tempfile.TemporaryDirectory(prefix="lms-restore-") as folder, tarfile.open(archive_path) as archive:
        manifest = _read_manifest(archive)
        expected = {manifest["database"]["name"]: manifest["database"]["sha256"], **manifest["files"]}
        names = {member.name for member in archive.getmembers() if member.isfile()} - {MANIFEST}
        if names != set(expected):
            raise BackupError("the archive's files do not match its manifest: it is incomplete or was altered")
        archive.extractall(folder, filter="data")  # refuses absolute paths, "..", links outside
        root = Path(folder)
        for member, checksum in expected.items():
            if _sha256(root / member) != checksum:
                raise BackupError(f"{member} does not match its checksum: the archive is damaged")
        yield manifest, root


def restore_backup(archive_path: Path | str) -> dict:
    """Bring an archive back into this (empty) installation; returns its manifest once everything checks."""
    stores = _store_files()
    with _extracted(Path(archive_path)) as (manifest, root):
        _check_empty_installation(manifest, stores)
        database_file = root / manifest["database"]["name"]
        db.session.remove()
        db.engine.dispose()
        if manifest["dialect"] == "sqlite":
            source, target = sqlite3.connect(database_file), sqlite3.connect(db.engine.url.database)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            args, env = _libpq(db.engine.url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  *args, str(database_file)], env)
        for member in manifest["files"]:
            store, _slash, relative = member.partition("/")
            target_path = stores[store] / relative
            target_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / member, target_path)
    _verify(manifest, stores)
    log.info("backup restored: %s", Path(archive_path).name, extra={"archive": Path(archive_path).name})
    return manifest


def _verify(manifest: dict, stores: dict[str, Path]) -> None:
    with db.engine.connect() as connection:
        counts = _row_counts(connection)
    if counts != manifest["tables"]:
        differing = sorted(name for name in set(counts) | set(manifest["tables"])
                           if counts.get(name) != manifest["tables"].get(name))
        raise BackupError(f"after the restore these tables do not have the rows the manifest lists: {differing}")
    restored = {member: _sha256(path) for member, path in _files_of(stores).items()}
    if restored != manifest["files"]:
        raise BackupError("after the restore the files do not match the manifest")
