"""What the admins' jobs page shows: each periodic job's latest run, failures, the workers seen."""
from sqlalchemy import func, select

from lms.extensions import db
from lms.jobs.models import JobFailure, JobRun, WorkerHeartbeat


def latest_runs() -> list[JobRun]:
    """The latest run of each periodic job, by name."""
    latest = select(JobRun.name, func.max(JobRun.id).label("id")).group_by(JobRun.name).subquery()
    return list(db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id).order_by(JobRun.name)))


def failures(limit: int = 50) -> list[JobFailure]:
    return list(db.session.scalars(select(JobFailure).order_by(JobFailure.id.desc()).limit(limit)))


def workers() -> list[WorkerHeartbeat]:
    return list(db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc()).limit(20)))
