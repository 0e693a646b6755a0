"""The reports domain's jobs: finding the report schedules that are due, and running each due time once."""
from datetime import timedelta

from sqlalchemy import select

from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import crontab, job, periodic, queue, reconciles
from lms.reports import operations, scheduled
from lms.reports.models import ReportScheduleRun, RunStatus

LOST_AFTER = timedelta(minutes=15)  # a run still waiting this long lost its job (a broker that was down)


@periodic(crontab(minute="0"))
def send_due_report_schedules() -> None:
    """Hourly, on the hour (schedules are set to a whole hour of the programme's zone): each due schedule
    gets one run for its due time, queued when this commits."""
    operations.claim_due_runs()


@job(retries=3, retry_delay=120, retry_backoff=2.0)
def run_report_schedule(run_id: int) -> None:
    """One run: safe to run twice (the second finds it done); a failure is kept on the run and retried after
    2, 4 and 8 minutes."""
    scheduled.run_schedule(run_id)


@reconciles
def queue_lost_report_runs() -> None:
    waiting = db.session.scalars(select(ReportScheduleRun.id).where(
        ReportScheduleRun.status == RunStatus.PENDING, ReportScheduleRun.due_at < clock.now() - LOST_AFTER))
    for run_id in waiting:
        queue(run_report_schedule, run_id)
