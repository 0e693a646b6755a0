"""What the job engine keeps in the database: periodic runs (one per tick), failures, workers' heartbeats."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import UTCDateTime, utcnow
from lms.extensions import db


class JobRun(db.Model):
    """One run of a periodic job; the unique tick makes a second scheduler's copy of it do nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    tick: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    duration_ms: Mapped[Optional[int]]
    error: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("name", "tick"), Index("ix_job_run_name_started", "name", "started_at"))

    def __repr__(self) -> str:
        return f"<JobRun {self.name} {self.tick:%Y-%m-%d %H:%M}>"


class JobFailure(db.Model):
    """A job that failed after its last retry: shown to admins."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<JobFailure {self.name} {self.task_id}>"


class WorkerHeartbeat(db.Model):
    """Written by each consumer every minute: the site's readiness check asks whether jobs are processed."""

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.name} {self.seen_at:%H:%M:%S}>"
