"""The backup domain's job: the nightly archive, keeping the newest BACKUP_KEEP."""
from flask import current_app

from lms.backup.operations import create_backup
from lms.jobs.engine import crontab, periodic


@periodic(crontab(minute="30", hour="2"))
def nightly_backup() -> None:
    """Daily at 02:30 (the worker's clock): one archive into BACKUP_DIR, older ones beyond BACKUP_KEEP removed."""
    create_backup(current_app.config["BACKUP_DIR"], keep=current_app.config["BACKUP_KEEP"])
