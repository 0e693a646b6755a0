"""The assessments domain's job: removing upload files that no submission names."""
from lms.assessments.sweep import sweep_orphan_files
from lms.jobs.engine import crontab, periodic


@periodic(crontab(minute="41", hour="*"))
def sweep_orphan_uploads() -> None:
    """Hourly: files left by a server stopped mid-upload (older than the sweeper's grace period) are removed."""
    sweep_orphan_files()
