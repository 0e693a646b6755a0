"""The engine's own periodic jobs: the workers' heartbeat, the reconciler, and pruning old runs."""
from datetime import timedelta

from sqlalchemy import delete

from lms.core import clock
from lms.extensions import db
from lms.jobs.engine import RECONCILERS, _run_in_app, beat, crontab, huey, periodic
from lms.jobs.models import JobFailure, JobRun

KEEP_RUNS = timedelta(days=90)


@huey.periodic_task(crontab(), name="heartbeat")  # every minute, on every consumer
def heartbeat() -> None:
    _run_in_app(beat, (), {})


@periodic(crontab(minute="*/10"))
def reconcile() -> None:
    """Every ten minutes: work a lost job (a killed worker, a broker that was down) left undone is queued again."""
    for reconciler in RECONCILERS:
        reconciler()


@periodic(crontab(minute="17", hour="3"))
def prune_job_history() -> None:
    """Daily: runs and failures older than 90 days are forgotten (the audit log keeps what mattered)."""
    cutoff = clock.now() - KEEP_RUNS
    db.session.execute(delete(JobRun).where(JobRun.started_at < cutoff))
    db.session.execute(delete(JobFailure).where(JobFailure.failed_at < cutoff))
