"""The assessments domain's jobs: closing quiz attempts whose time is up, removing upload files that no submission names."""
from lms.assessments.quizzes import close_expired_attempts
from lms.assessments.sweep import sweep_orphan_files
from lms.jobs.engine import crontab, periodic


@periodic(crontab())
def close_expired_quiz_attempts() -> None:
    """Every minute: timed attempts whose time and grace are up are closed with the answers saved until then
    and scored, so no page opened with GET has to write it; one already closed is left as it is."""
    close_expired_attempts()


@periodic(crontab(minute="41", hour="*"))
def sweep_orphan_uploads() -> None:
    """Hourly: files left by a server stopped mid-upload (older than the sweeper's grace period) are removed."""
    sweep_orphan_files()
