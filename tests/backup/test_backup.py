"""A backup restored into a fresh installation gives back every table's rows and every file, on SQLite and PostgreSQL."""
import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, table, text

from config import TestConfig
from lms import create_app
from lms.accounts.models import Role
from lms.audit.operations import record
from lms.backup.operations import BackupError, create_backup, list_backups, restore_backup
from lms.catalogue.course_files import read_tree
from lms.catalogue.operations import import_courses
from lms.enrolment.operations import approve_enrolment
from lms.extensions import db
from lms.notifications.operations import send_mail
from lms.programme.operations import ensure_countries
from tests.conftest import COURSES_DIR
from tests.databases import throwaway_database
from tests.enrolment.helpers import requested, upcoming_intake
from tests.factories import make_programme, make_user


def installation(url: str, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    return create_app(type("Installation", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": folder, "UPLOAD_DIR": folder / "uploads",
        "PDF_DIR": folder / "pdf", "BACKUP_DIR": folder / "backups"}))


def every_row(connection) -> dict[str, list[tuple]]:
    names = [t.name for t in db.metadata.sorted_tables] + ["alembic_version"]
    return {name: sorted((tuple(row) for row in connection.execute(select(text("*")).select_from(table(name)))),
                         key=repr) for name in names}


def checksums(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def fill(app) -> None:
    with app.app_context():
        upgrade()
        ensure_countries()
        import_courses(read_tree(COURSES_DIR / "network-information-security"))
        coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
        enrolment = requested(upcoming_intake(make_programme()), "TH", native_name="สมชาย วงศ์สวัสดิ์")
        approve_enrolment(enrolment, coordinator)
        record(coordinator, "test.filled", enrolment, before={"a": 1}, after={"a": 2})
        send_mail("someone@example.org", "Subject", "Body with ünïcode")
        db.session.commit()
        uploads, pdfs = Path(app.config["UPLOAD_DIR"]), Path(app.config["PDF_DIR"])
        (uploads / "submissions" / "7").mkdir(parents=True)
        (uploads / "submissions" / "7" / "essay.pdf").write_bytes(b"%PDF-1.7 an essay" + bytes(range(256)))
        (pdfs / "certificates").mkdir(parents=True)
        (pdfs / "certificates" / "ABCD.pdf").write_bytes(b"%PDF-1.7 a certificate")
        db.session.remove()


def test_a_backup_restores_into_a_fresh_installation_with_every_row_and_file(database_url, tmp_path):
    with throwaway_database(database_url, "backup_source", tmp_path) as source_url, \
            throwaway_database(database_url, "backup_target", tmp_path) as target_url:
        source = installation(source_url, tmp_path / "source")
        fill(source)
        with source.app_context():
            archive = create_backup(tmp_path / "backups")
            with db.engine.connect() as connection:
                rows = every_row(connection)
            db.engine.dispose()
        assert sum(len(table_rows) for table_rows in rows.values()) > 50 and rows["alembic_version"]

        target = installation(target_url, tmp_path / "target")
        with target.app_context():  # the command runs in the current app context: the target's
            result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "every count and checksum matches" in result.output
        with target.app_context():
            with db.engine.connect() as connection:
                assert every_row(connection) == rows
            db.engine.dispose()
        for store in ("uploads", "pdf"):
            assert checksums(tmp_path / "target" / store) == checksums(tmp_path / "source" / store) != {}

        # A second restore over the restored installation is refused: it is no longer empty.
        with target.app_context():
            with pytest.raises(BackupError, match="not empty"):
                restore_backup(archive)
            db.engine.dispose()


def test_a_damaged_archive_is_refused_before_anything_is_written(database_url, tmp_path):
    with throwaway_database(database_url, "backup_damaged", tmp_path) as url, \
            throwaway_database(database_url, "backup_empty", tmp_path) as empty_url:
        source = installation(url, tmp_path / "source")
        fill(source)
        with source.app_context():
            archive = create_backup(tmp_path / "backups")
            db.engine.dispose()
        damaged = tmp_path / "damaged.tar"
        with tarfile.open(archive) as original, tarfile.open(damaged, "w") as copy:
            for member in original.getmembers():
                data = original.extractfile(member).read()
                if member.name.endswith("essay.pdf"):
                    data = data.replace(b"essay", b"esSay")
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
        target = installation(empty_url, tmp_path / "target")
        with target.app_context():
            with pytest.raises(BackupError, match="does not match its checksum"):
                restore_backup(damaged)
            assert db.inspect(db.engine).get_table_names() == []
            db.engine.dispose()
        assert not (tmp_path / "target" / "uploads").exists()


def test_only_the_newest_archives_are_kept(database_url, tmp_path):
    with throwaway_database(database_url, "backup_prune", tmp_path) as url:
        app = installation(url, tmp_path / "installation")
        with app.app_context():
            upgrade()
            made = [create_backup(tmp_path / "backups", keep=2) for _ in range(3)]
            assert list_backups(tmp_path / "backups") == made[1:]
            runner = app.test_cli_runner().invoke(args=["backup", "create", "--keep", "1"])
            db.engine.dispose()
        assert runner.exit_code == 0 and "Backup written" in runner.output, runner.output
        assert len(list_backups(tmp_path / "installation" / "backups")) == 1
